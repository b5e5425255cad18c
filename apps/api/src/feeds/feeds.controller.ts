import {
  Body,
  ConflictException,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Inject,
  NotFoundException,
  PayloadTooLargeException,
  Post,
  Req,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { OpmlError, parseOpml, rejectedCheck, serializeOpml } from '@diplowatch/domain';
import { RequireScope } from '@diplowatch/runtime';
import { badRequest } from '../query-params';
import { type AddFeedInput, addFeedSchema, checkView, feedIdSchema, feedView } from './feed-views';
import {
  FeedRegistry,
  FeedUrlError,
  type FetchSettings,
  fetchFeed,
  normalizeFeedUrl,
  toCheckLine,
} from './registry';

export const FEEDS_OPTIONS = Symbol('FEEDS_OPTIONS');
export type FeedsOptions = { fetch: FetchSettings; defaultIntervalSeconds: number };

const MAX_OPML_BYTES = 5 * 1024 * 1024;

function parseBody<T>(
  schema: {
    safeParse(
      value: unknown,
    ):
      | { success: true; data: T }
      | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
  },
  body: unknown,
): T {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.map(String).join('.') || '(body)';
  throw badRequest(`field "${field}": ${issue.message}`);
}

function parseId(id: string): string {
  if (!feedIdSchema.safeParse(id).success)
    throw badRequest(`parameter "id" (value ${JSON.stringify(id)}) is not a feed id`);
  return id;
}

/** The raw request body (OPML is posted as XML, which the JSON body parser leaves alone). */
async function rawBody(req: Request, limit: number): Promise<Buffer> {
  if (Buffer.isBuffer(req.body)) return req.body;
  if (typeof req.body === 'string') return Buffer.from(req.body, 'utf8');
  if (req.body && typeof req.body === 'object' && typeof (req.body as { opml?: unknown }).opml === 'string')
    return Buffer.from((req.body as { opml: string }).opml, 'utf8');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new PayloadTooLargeException(`OPML documents are limited to ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * The feed registry: what the ingester polls, and how each feed is doing. Reads need the
 * `read` scope, changes `write`.
 */
@ApiTags('feeds')
@ApiBearerAuth()
@Controller('feeds')
export class FeedsController {
  constructor(
    private readonly registry: FeedRegistry,
    @Inject(FEEDS_OPTIONS) private readonly options: FeedsOptions,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Every registered feed with its condition and health' })
  async list() {
    const now = new Date();
    return { items: (await this.registry.list()).map((row) => feedView(row, now)) };
  }

  @Get('opml')
  @Header('content-type', 'text/x-opml; charset=utf-8')
  @Header('content-disposition', 'attachment; filename="diplowatch-feeds.opml"')
  @ApiOperation({ summary: 'The feed list as OPML 2.0 (for feed readers)' })
  async exportOpml(): Promise<string> {
    const rows = await this.registry.list();
    return serializeOpml({
      title: 'diplowatch feeds',
      dateCreated: new Date(),
      feeds: rows.map((row) => ({
        url: row.url,
        title: row.title,
        siteUrl: null,
        language: row.language,
        category: null,
      })),
    });
  }

  @Post('opml')
  @RequireScope('write')
  @ApiOperation({
    summary:
      'Imports the feeds of an OPML document (POST the XML itself); feeds already registered are left as they are',
  })
  async importOpml(@Req() req: Request) {
    const body = await rawBody(req, MAX_OPML_BYTES);
    if (body.length === 0) throw badRequest('the body must be an OPML document');
    let doc;
    try {
      doc = parseOpml(body, { contentType: req.headers['content-type'] ?? null });
    } catch (error) {
      if (error instanceof OpmlError) throw badRequest(`OPML: ${error.message}`);
      throw error;
    }
    const added: ReturnType<typeof feedView>[] = [];
    const existing: string[] = [];
    for (const feed of doc.feeds) {
      const row = await this.registry.add(
        { url: feed.url, title: feed.title, language: feed.language },
        'opml',
        this.options.defaultIntervalSeconds,
      );
      if (row) added.push(feedView(row));
      else existing.push(feed.url);
    }
    return { added, existing, warnings: doc.warnings };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One feed with its health' })
  async get(@Req() req: Request) {
    const id = parseId(String(req.params.id));
    const row = await this.registry.get(id);
    if (!row) throw new NotFoundException(`no feed ${id}`);
    return feedView(row);
  }

  @Post()
  @RequireScope('write')
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Registers a feed after fetching it once; the answer says what the ingester makes of it (parsed, salvaged or rejected)',
  })
  async add(@Body() body: unknown) {
    const input: AddFeedInput = parseBody(addFeedSchema, body);
    let url: string;
    try {
      url = normalizeFeedUrl(input.url);
    } catch (error) {
      if (error instanceof FeedUrlError) throw badRequest(`field "url": ${error.message}`);
      throw error;
    }
    // Same path as the poller: guarded fetch (private networks refused unless allowed), parse.
    const fetched = await fetchFeed(url, this.options.fetch);
    const check =
      fetched.kind === 'failed'
        ? toCheckLine(url, rejectedCheck(fetched.error.code, fetched.error.message))
        : fetched.kind === 'not_modified'
          ? toCheckLine(url, rejectedCheck('http_status', 'HTTP 304 to an unconditional request'))
          : toCheckLine(url, fetched.check);
    const feedTitle =
      fetched.kind === 'fetched' && fetched.check.feed ? fetched.check.feed.title || null : null;
    if (fetched.kind === 'failed' && fetched.error.code === 'blocked_address')
      throw badRequest(`field "url": ${fetched.error.message}`);
    const row = await this.registry.add(
      {
        url,
        title: input.title ?? feedTitle,
        language:
          input.language ?? (fetched.kind === 'fetched' ? (fetched.check.feed?.language ?? null) : null),
        pollIntervalSeconds: input.pollIntervalSeconds,
        options: input.options,
      },
      'api',
      this.options.defaultIntervalSeconds,
    );
    if (!row) throw new ConflictException(`feed ${url} is already registered`);
    return { feed: feedView(row), check: checkView(check, feedTitle) };
  }

  @Post(':id/pause')
  @RequireScope('write')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stops polling a feed (kept with its health)' })
  async pause(@Req() req: Request) {
    return this.setEnabled(String(req.params.id), false);
  }

  @Post(':id/resume')
  @RequireScope('write')
  @HttpCode(200)
  @ApiOperation({ summary: 'Polls a paused feed again, at once' })
  async resume(@Req() req: Request) {
    return this.setEnabled(String(req.params.id), true);
  }

  @Delete(':id')
  @RequireScope('write')
  @HttpCode(204)
  @ApiOperation({ summary: 'Removes a feed: no longer polled or listed (its articles stay)' })
  async remove(@Req() req: Request): Promise<void> {
    const id = parseId(String(req.params.id));
    if (!(await this.registry.remove(id))) throw new NotFoundException(`no feed ${id}`);
  }

  private async setEnabled(rawId: string, enabled: boolean) {
    const row = await this.registry.setEnabled(parseId(rawId), enabled);
    if (!row) throw new NotFoundException(`no feed ${rawId}`);
    return feedView(row);
  }
}
