// Routes of the notifications feature (being built).
import type { FastifyInstance } from 'fastify';

export default async function notificationsRoutes(_app: FastifyInstance) {}
