// Routes of the news feature (being built).
import type { FastifyInstance } from 'fastify';

export default async function newsRoutes(_app: FastifyInstance) {}
