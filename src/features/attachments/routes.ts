// Routes of the attachments feature (being built).
import type { FastifyInstance } from 'fastify';

export default async function attachmentsRoutes(_app: FastifyInstance) {}
