// Routes of the settings feature (being built).
import type { FastifyInstance } from 'fastify';

export default async function settingsRoutes(_app: FastifyInstance) {}
