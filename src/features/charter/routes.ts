// Routes of the charter feature (being built).
import type { FastifyInstance } from 'fastify';

export default async function charterRoutes(_app: FastifyInstance) {}
