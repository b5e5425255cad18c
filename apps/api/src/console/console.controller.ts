import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Controller, Get, Logger, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '@diplowatch/runtime';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/**
 * Only the app's own files: no inline script or style, no other origin. The data calls go to
 * this same origin with the API key, which is why the shell itself needs none.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

type StaticFile = { body: Buffer; type: string; etag: string };

/**
 * The static files: beside this module when running from sources (jest), and from the checkout
 * when running from dist/ (tsc copies only .ts files), found by walking up to the repo root.
 */
export function findConsoleDirectory(from: string = __dirname): string | null {
  const beside = path.join(from, 'static');
  if (existsSync(path.join(beside, 'index.html'))) return beside;
  let dir = from;
  for (;;) {
    const candidate = path.join(dir, 'apps', 'api', 'src', 'console', 'static');
    if (existsSync(path.join(dir, 'nest-cli.json')) && existsSync(path.join(candidate, 'index.html')))
      return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** Every file under `root`, read once: a handful of small files, and no path from a request touches the disk. */
export function loadConsoleFiles(root: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        const type = CONTENT_TYPES[path.extname(entry.name)];
        if (!type) continue;
        const body = readFileSync(full);
        const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
        files.set(path.relative(root, full).split(path.sep).join('/'), { body, type, etag });
      }
    }
  };
  walk(root);
  return files;
}

/** The analyst console: a static shell of ES modules and CSS at /console that calls this API. */
@ApiExcludeController()
@Public()
@Controller('console')
export class ConsoleController {
  private readonly logger = new Logger('Console');
  private files: Map<string, StaticFile> | null = null;

  @Get()
  index(@Req() req: Request, @Res() res: Response): void {
    // Relative URLs in the page resolve against /console/, so /console is sent there.
    if (!req.path.endsWith('/')) return res.redirect(301, 'console/');
    this.send('index.html', req, res);
  }

  @Get('*path')
  file(@Req() req: Request, @Res() res: Response): void {
    const name = decodeURIComponent(req.path.replace(/^\/console\/?/, ''));
    this.send(name === '' ? 'index.html' : name, req, res);
  }

  private send(name: string, req: Request, res: Response): void {
    const files = this.loaded();
    // The console's own pages (/console/events/…, /console/feeds) are the shell; its routes run in the page.
    const file = files.get(name) ?? (CONTENT_TYPES[path.extname(name)] ? undefined : files.get('index.html'));
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    if (!file) {
      res.status(404).json({ statusCode: 404, error: 'Not Found', message: `no console file ${name}` });
      return;
    }
    res.setHeader('content-security-policy', CONSOLE_CSP);
    res.setHeader('content-type', file.type);
    // Revalidated each time (cheap: a 304): a new release is seen at once.
    res.setHeader('cache-control', 'no-cache');
    res.setHeader('etag', file.etag);
    if (req.headers['if-none-match'] === file.etag) {
      res.status(304).end();
      return;
    }
    res.status(200).end(file.body);
  }

  private loaded(): Map<string, StaticFile> {
    if (!this.files) {
      const dir = findConsoleDirectory();
      if (!dir) this.logger.warn('console files not found: /console answers 404');
      this.files = dir ? loadConsoleFiles(dir) : new Map();
    }
    return this.files;
  }
}
