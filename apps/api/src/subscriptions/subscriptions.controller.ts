import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Patch,
  Post,
  Query,
  Req,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import {
  type Channel,
  alertTopology,
  buildSampleAlert,
  createSubscriptionSchema,
  generateWebhookSecret,
  literalAddressRefused,
  sealSecret,
  updateSubscriptionSchema,
} from '@diplowatch/domain';
import { JetStreamService } from '@diplowatch/messaging';
import { RequireScope } from '@diplowatch/runtime';
import { z } from 'zod';
import { CurrentPrincipal, type Principal } from '../auth/api-key.guard';
import { ALERT_API_SETTINGS, type AlertApiSettings, requireSecretKey } from './alert-settings';
import { AlertStreamHub } from './alert-stream';
import { parseInput } from './subscription-input';
import { SubscriptionsRepository, presentSubscription } from './subscriptions.repository';

const subscriptionIdSchema = z.string().regex(/^sub_[a-f0-9]{24}$/, 'is not a subscription id');
const deliveryIdSchema = z.string().regex(/^\d{1,18}$/, 'is not a delivery id');
const lastEventIdSchema = z.coerce.number().int().min(0);

const alertsQuerySchema = z
  .object({
    after: z.coerce.number().int().min(0).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

const deliveriesQuerySchema = z
  .object({
    state: z.enum(['pending', 'delivered', 'dead', 'cancelled']).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: deliveryIdSchema.optional(),
  })
  .strict();

/** Request bodies for the OpenAPI document, from the zod schemas that validate them. */
const bodySchema = (schema: z.ZodType) =>
  z.toJSONSchema(schema, { io: 'input', target: 'openapi-3.0', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;

/** Subscriptions belong to the API key that created them: another key sees a 404. */
function ownerOf(principal: Principal): string {
  if (!principal.keyId)
    throw new UnauthorizedException('subscriptions need an API key (Authorization: Bearer dw_…)');
  return principal.keyId;
}

/** The alerting side of the API: subscriptions, their alerts, delivery log and SSE stream. */
@ApiTags('subscriptions')
@ApiBearerAuth()
@Controller('subscriptions')
export class SubscriptionsController {
  constructor(
    private readonly repository: SubscriptionsRepository,
    private readonly streams: AlertStreamHub,
    private readonly jetstream: JetStreamService,
    @Inject(ALERT_API_SETTINGS) private readonly settings: AlertApiSettings,
  ) {}

  /** Creates a subscription; the response holds its signing secret, shown this once. */
  @ApiOperation({
    summary: 'Create a subscription (write scope); the answer holds its signing secret, shown once',
  })
  @ApiBody({ schema: bodySchema(createSubscriptionSchema) })
  @Post()
  @RequireScope('write')
  async create(@CurrentPrincipal() principal: Principal, @Body() body: unknown) {
    const owner = ownerOf(principal);
    const input = parseInput(createSubscriptionSchema, body, 'body');
    this.checkReceivers(input.channels);
    const secret = generateWebhookSecret();
    const row = await this.repository.create(
      owner,
      input,
      sealSecret(secret, requireSecretKey(this.settings)),
      new Date(),
    );
    return { ...this.present(row), secret };
  }

  @ApiOperation({ summary: "The caller's subscriptions" })
  @Get()
  async list(@CurrentPrincipal() principal: Principal) {
    const rows = await this.repository.list(ownerOf(principal));
    return { items: rows.map((row) => this.present(row)) };
  }

  @ApiOperation({ summary: "One of the caller's subscriptions" })
  @Get(':id')
  async get(@CurrentPrincipal() principal: Principal, @Param('id') rawId: string) {
    return this.present(await this.owned(principal, rawId));
  }

  /** Each field given replaces the stored one whole. */
  @ApiOperation({ summary: 'Edit: each field given replaces the stored one whole (write scope)' })
  @ApiBody({ schema: bodySchema(updateSubscriptionSchema) })
  @Patch(':id')
  @RequireScope('write')
  async update(@CurrentPrincipal() principal: Principal, @Param('id') rawId: string, @Body() body: unknown) {
    const id = this.idOf(rawId);
    const patch = parseInput(updateSubscriptionSchema, body, 'body');
    if (patch.channels) this.checkReceivers(patch.channels);
    return this.present(this.found(await this.repository.update(ownerOf(principal), id, patch), id));
  }

  @ApiOperation({ summary: 'Pause: no new alerts until resumed (write scope)' })
  @Post(':id/pause')
  @RequireScope('write')
  @HttpCode(200)
  async pause(@CurrentPrincipal() principal: Principal, @Param('id') rawId: string) {
    const id = this.idOf(rawId);
    return this.present(
      this.found(await this.repository.update(ownerOf(principal), id, { status: 'paused' }), id),
    );
  }

  @ApiOperation({ summary: 'Resume a paused subscription (write scope)' })
  @Post(':id/resume')
  @RequireScope('write')
  @HttpCode(200)
  async resume(@CurrentPrincipal() principal: Principal, @Param('id') rawId: string) {
    const id = this.idOf(rawId);
    return this.present(
      this.found(await this.repository.update(ownerOf(principal), id, { status: 'active' }), id),
    );
  }

  /** A new signing secret, shown this once; the old one stops working for alerts sent from now on. */
  @ApiOperation({ summary: 'A new signing secret, shown once (write scope)' })
  @Post(':id/secret')
  @RequireScope('write')
  @HttpCode(200)
  async rotateSecret(@CurrentPrincipal() principal: Principal, @Param('id') rawId: string) {
    const id = this.idOf(rawId);
    const secret = generateWebhookSecret();
    const secretSealed = sealSecret(secret, requireSecretKey(this.settings));
    const row = this.found(await this.repository.update(ownerOf(principal), id, { secretSealed }), id);
    return { ...this.present(row), secret };
  }

  @ApiOperation({ summary: 'Remove, with its alerts and delivery log (write scope)' })
  @Delete(':id')
  @RequireScope('write')
  @HttpCode(204)
  async remove(@CurrentPrincipal() principal: Principal, @Param('id') rawId: string) {
    const id = this.idOf(rawId);
    if (!(await this.repository.remove(ownerOf(principal), id))) throw this.notFound(id);
  }

  /** "Send a sample": a made-up alert through every channel (and the SSE stream), marked as a sample. */
  @ApiOperation({ summary: 'Send a sample alert through every channel (write scope)' })
  @Post(':id/sample')
  @RequireScope('write')
  @HttpCode(202)
  async sample(@CurrentPrincipal() principal: Principal, @Param('id') rawId: string) {
    const row = await this.owned(principal, rawId);
    const now = new Date();
    const stored = await this.repository.storeSample(row, buildSampleAlert(row, now), now);
    if (!stored) throw this.notFound(row.id);
    this.wakeAlerter(row.id);
    return stored;
  }

  /** Alerts, newest first; with `after` (an alert number), the ones after it, oldest first. */
  @ApiOperation({ summary: 'Alerts, newest first; after=<alert number>: those after it, oldest first' })
  @Get(':id/alerts')
  async alerts(
    @CurrentPrincipal() principal: Principal,
    @Param('id') rawId: string,
    @Query() rawQuery: Record<string, unknown>,
  ) {
    const row = await this.owned(principal, rawId);
    const query = parseInput(alertsQuerySchema, rawQuery, 'query');
    const alerts = await this.repository.alerts(row.id, query);
    return {
      items: alerts.map((alert) => ({
        id: alert.id,
        seq: alert.seq,
        kind: alert.kind,
        createdAt: alert.createdAt.toISOString(),
        payload: alert.payload,
      })),
    };
  }

  /** The delivery log: every delivery with its state and its attempts, newest first. */
  @ApiOperation({ summary: 'The delivery log: each delivery, its state and attempts' })
  @Get(':id/deliveries')
  async deliveries(
    @CurrentPrincipal() principal: Principal,
    @Param('id') rawId: string,
    @Query() rawQuery: Record<string, unknown>,
  ) {
    const row = await this.owned(principal, rawId);
    const query = parseInput(deliveriesQuerySchema, rawQuery, 'query');
    return this.repository.deliveries(row.id, {
      state: query.state,
      limit: query.limit,
      before: query.cursor !== undefined ? BigInt(query.cursor) : undefined,
    });
  }

  /** Sends one delivery again (a dead one, or a delivered one a receiver lost), from its first attempt. */
  @ApiOperation({ summary: 'Send a dead or delivered delivery again (write scope)' })
  @Post(':id/deliveries/:deliveryId/redeliver')
  @RequireScope('write')
  @HttpCode(202)
  async redeliver(
    @CurrentPrincipal() principal: Principal,
    @Param('id') rawId: string,
    @Param('deliveryId') rawDeliveryId: string,
  ) {
    const row = await this.owned(principal, rawId);
    const deliveryId = BigInt(parseInput(deliveryIdSchema, rawDeliveryId, 'query'));
    const delivery = await this.repository.delivery(row.id, deliveryId);
    if (!delivery) throw new NotFoundException(`delivery ${deliveryId} not found`);
    const queued = await this.repository.redeliver(row.id, { deliveryId });
    if (queued === 0) {
      throw new ConflictException(
        delivery.state === 'cancelled'
          ? 'this delivery was cancelled: its channel is no longer on the subscription'
          : 'this delivery is still pending',
      );
    }
    this.wakeAlerter(row.id);
    return { queued };
  }

  /** Sends every dead delivery of the subscription again (after a receiver outage). */
  @ApiOperation({ summary: 'Send every dead delivery again (write scope)' })
  @Post(':id/deliveries/redeliver-dead')
  @RequireScope('write')
  @HttpCode(202)
  async redeliverDead(@CurrentPrincipal() principal: Principal, @Param('id') rawId: string) {
    const row = await this.owned(principal, rawId);
    const queued = await this.repository.redeliver(row.id, { state: 'dead' });
    if (queued > 0) this.wakeAlerter(row.id);
    return { queued };
  }

  /**
   * Server-Sent Events: one `data:` per alert (the alert payload), `id:` its number. Resumes
   * after the `Last-Event-ID` header (or `lastEventId` parameter); without it, new alerts only.
   */
  @ApiOperation({ summary: 'Server-Sent Events: one per alert, resumable with Last-Event-ID' })
  @ApiProduces('text/event-stream')
  @Get(':id/stream')
  async stream(
    @CurrentPrincipal() principal: Principal,
    @Param('id') rawId: string,
    @Headers('last-event-id') lastEventHeader: string | undefined,
    @Query('lastEventId') lastEventQuery: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const owner = ownerOf(principal);
    const subscriptionId = this.idOf(rawId);
    const rawLast = lastEventHeader ?? lastEventQuery;
    const lastEventId =
      rawLast === undefined || rawLast === '' ? null : parseInput(lastEventIdSchema, rawLast, 'query');
    await this.streams.serve({ owner, subscriptionId, lastEventId, req, res });
  }

  private present(row: Parameters<typeof presentSubscription>[0]) {
    return presentSubscription(row, this.jetstream.topology.namespace);
  }

  private idOf(rawId: string): string {
    const parsed = subscriptionIdSchema.safeParse(rawId);
    if (!parsed.success) throw this.notFound(rawId);
    return parsed.data;
  }

  private async owned(principal: Principal, rawId: string) {
    const id = this.idOf(rawId);
    return this.found(await this.repository.get(ownerOf(principal), id), id);
  }

  private found<T>(row: T | null, id: string): T {
    if (!row) throw this.notFound(id);
    return row;
  }

  private notFound(id: string) {
    return new NotFoundException(`subscription ${id.slice(0, 100)} not found`);
  }

  /** A receiver that is a literal internal address is refused now; host names when delivering. */
  private checkReceivers(channels: Channel[]) {
    channels.forEach((channel, index) => {
      if (channel.type !== 'nats' && literalAddressRefused(channel.url, this.settings.isAllowedAddress)) {
        throw new BadRequestException({
          statusCode: 400,
          error: 'Bad Request',
          message: `field "channels.${index}.url" is an internal address: receivers must be public`,
        });
      }
    });
  }

  /** Tells the alerter deliveries are due now (it polls anyway, so this is only to be quick). */
  private wakeAlerter(subscriptionId: string) {
    if (!this.jetstream.isConnected()) return;
    const topology = alertTopology(this.jetstream.topology.namespace);
    this.jetstream.connection.publish(topology.deliveryWakeSubject);
    this.jetstream.connection.publish(
      topology.alertNotifySubject,
      JSON.stringify({ subscriptions: [subscriptionId] }),
    );
  }
}
