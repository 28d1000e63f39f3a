// Routes of the moderation feature (being built).
import type { FastifyInstance } from 'fastify';

export default async function moderationRoutes(_app: FastifyInstance) {}
