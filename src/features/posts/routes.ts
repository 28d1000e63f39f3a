// Routes of the posts feature (being built).
import type { FastifyInstance } from 'fastify';

export default async function postsRoutes(_app: FastifyInstance) {}
