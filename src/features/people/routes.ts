// Routes of the people feature (being built).
import type { FastifyInstance } from 'fastify';

export default async function peopleRoutes(_app: FastifyInstance) {}
