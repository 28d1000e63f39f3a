// Routes of the conversation feature (being built).
import type { FastifyInstance } from 'fastify';

export default async function conversationRoutes(_app: FastifyInstance) {}
