// Routes of the feed feature (being built).
import type { FastifyInstance } from 'fastify';

export default async function feedRoutes(_app: FastifyInstance) {}
