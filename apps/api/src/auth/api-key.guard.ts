import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  UnauthorizedException,
  createParamDecorator,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { apiKeyMatches, parseApiKey, scopeAllows } from '@diplowatch/domain';
import { PrismaService } from '@diplowatch/persistence';
import { ACCESS_SCOPE_KEY, type AccessScope } from '@diplowatch/runtime';

export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');
export type AuthOptions = {
  /** Reads without a key (a private deployment behind its own gateway). Writes always need one. */
  readOpen: boolean;
};

export type Principal =
  { keyId: string; name: string; scopes: string[] } | { keyId: null; name: 'anonymous'; scopes: [] };

/** The caller of a route: the API key's id owns what it creates (subscriptions, feeds). */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext) =>
    context.switchToHttp().getRequest<Request & { principal: Principal }>().principal,
);

function presentedKey(request: Request): string | null {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length);
  const apiKey = request.headers['x-api-key'];
  return typeof apiKey === 'string' ? apiKey : null;
}

/** Checks `Authorization: Bearer dw_…` (or `X-API-Key`) against the hashed keys. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly prisma: PrismaService,
    @Inject(AUTH_OPTIONS) private readonly options: AuthOptions,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const required =
      this.reflector.getAllAndOverride<AccessScope | undefined>(ACCESS_SCOPE_KEY, [
        context.getHandler(),
        context.getClass(),
      ]) ?? 'read';
    if (required === 'public') return true;
    const request = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const raw = presentedKey(request);
    if (!raw) {
      if (required === 'read' && this.options.readOpen) {
        request.principal = { keyId: null, name: 'anonymous', scopes: [] };
        return true;
      }
      throw new UnauthorizedException('an API key is required (Authorization: Bearer dw_…)');
    }
    const parsed = parseApiKey(raw);
    const row = parsed ? await this.prisma.client.apiKey.findUnique({ where: { id: parsed.id } }) : null;
    if (!parsed || !row || row.revokedAt || !apiKeyMatches(parsed.secret, row.hash)) {
      throw new UnauthorizedException('invalid or revoked API key');
    }
    if (!scopeAllows(row.scopes, required))
      throw new ForbiddenException(`this API key lacks the "${required}" scope`);
    request.principal = { keyId: row.id, name: row.name, scopes: row.scopes };
    // Best effort and coarse (once a minute): not worth a write per request.
    if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
      void this.prisma.client.apiKey
        .update({ where: { id: row.id }, data: { lastUsedAt: new Date() } })
        .catch(() => undefined);
    }
    return true;
  }
}
