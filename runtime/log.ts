import pino from 'pino';

/** Structured logs; never message text, emails or tokens at info level. */
export const logger = pino({ level: process.env.LOG_LEVEL ?? 'info', base: { service: 'baton' } });
