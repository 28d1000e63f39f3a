// Routes of the spaces feature (being built).
import type { FastifyInstance } from 'fastify';

export default async function spacesRoutes(_app: FastifyInstance) {}
