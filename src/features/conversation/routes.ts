// The conversation around a content item: comments with one level of replies (write, edit, delete),
// the comments page beyond the first ones, reactions (toggle, who reacted). Every handler answers 404
// for an item or comment the viewer may not see before it asks the policy about the act itself.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { AttachmentRef, ContentItem } from '../../content/items.js';
import { loadItems } from '../../content/load-items.js';
import { loadCommentSubject, visibleContentSubject } from '../../content/subjects.js';
import { HttpError, NotFound } from '../../http/errors.js';
import { Field, parseForm, withError, type FieldErrors } from '../../http/form.js';
import { readForm } from '../../http/multipart.js';
import { idParam, optionalId, single } from '../../http/params.js';
import { refundIfThrows } from '../../http/rate-limits.js';
import { safeNextPath } from '../../http/redirects.js';
import { isPartialRequest } from '../../http/render.js';
import { authorize, can, type CommentSubject, type ContentSubject, type Viewer } from '../../policy/index.js';
import { AttachmentsTaken, claimedAttachmentIds, receiveAttachments, stillPending, uploadContext } from '../attachments/service.js';
import { removeStoredFiles } from '../attachments/storage.js';
import {
  COMMENTS_PAGE_SIZE,
  findCommentForEdit,
  findReplyTarget,
  loadConversation,
  loadReplies,
  REPLIES_SHOWN,
  repliesBefore,
  topLevelCommentsBefore,
  whoReacted,
  whoReactedWith,
  type CommentForEdit,
  type Conversation,
} from './queries.js';
import { REACTION_KEYS, REACTIONS } from './reactions.js';
import { addComment, COMMENT_MAX_LENGTH, deleteComment, editComment, toggleReaction } from './service.js';

const CommentForm = Type.Object({
  body: Field.text({ max: COMMENT_MAX_LENGTH }),
  parent_id: Field.optional(Type.String({ maxLength: 15 })),
});
const EditForm = Type.Object({ body: Field.text({ max: COMMENT_MAX_LENGTH }) });
const ReactionForm = Type.Object({
  reaction: Field.choice(REACTION_KEYS),
  next: Field.optional(Type.String({ maxLength: 2000 })),
});

type IdParams = { Params: { id: string } };
type ReactionParams = { Params: { id: string; reaction: string } };

/** The state of the main comment form, or of one reply form, when shown again. */
interface CommentFormState {
  values: Record<string, string>;
  errors: FieldErrors;
  pending?: AttachmentRef[];
}

/** A comment refused because the item closed while it was being written: shown read-only, with why. */
interface UnsentComment {
  text: string;
}

async function conversationRoutes(app: FastifyInstance) {
  // Every reaction bar, wherever it is included (feed cards, pages, this feature's answers), shows the set.
  app.addHook('preHandler', async (request) => {
    request.layout.reactionSet = REACTIONS;
  });

  const signedIn = (user: Viewer | null): Viewer => {
    authorize(user, 'app.use');
    return user;
  };

  /** The item as the policy sees it: 404 for an id the viewer may not see. */
  async function contentFor(viewer: Viewer, id: string): Promise<ContentSubject> {
    return visibleContentSubject(app, viewer, id);
  }

  /** The item as cards and pages show it. */
  async function itemFor(viewer: Viewer, id: number): Promise<ContentItem> {
    const [item] = await loadItems(app, viewer, [id]);
    if (!item) throw new NotFound();
    return item;
  }

  /** The comment as the policy sees it: 404 for one the viewer may not see (deleted, or hidden from them). */
  async function commentFor(viewer: Viewer, id: string): Promise<CommentSubject & { parentId: number | null }> {
    const comment = await loadCommentSubject(app.db, idParam(id));
    if (!comment || !can(viewer, 'comment.view', comment)) throw new NotFound();
    return comment;
  }

  /** Where a comment is shown: the item's page, or the comments page it lands on beyond the first one. */
  async function pageAfter(contentId: number, topLevelId: number): Promise<number | null> {
    const before = await topLevelCommentsBefore(app.db, contentId, topLevelId);
    return before >= COMMENTS_PAGE_SIZE ? topLevelId - 1 : null;
  }

  /**
   * The address of a comment: on its item's page or comments page, or on its top-level comment's
   * replies page when it is a reply beyond the first REPLIES_SHOWN.
   */
  async function commentUrl(contentId: number, comment: { id: number; parentId: number | null }): Promise<string> {
    if (comment.parentId !== null && (await repliesBefore(app.db, comment.parentId, comment.id)) >= REPLIES_SHOWN) {
      return `/comments/${comment.parentId}/replies?after=${comment.id - 1}#comment-${comment.id}`;
    }
    const after = await pageAfter(contentId, comment.parentId ?? comment.id);
    return after === null ? `/content/${contentId}#comment-${comment.id}` : `/content/${contentId}/comments?after=${after}#comment-${comment.id}`;
  }

  async function renderConversation(
    request: FastifyRequest,
    reply: FastifyReply,
    viewer: Viewer,
    item: ContentItem,
    data: {
      after?: number | null;
      commentForm?: CommentFormState;
      replyForm?: CommentFormState & { parentId: number };
      focusCommentId?: number;
      commentNotice?: string;
      unsent?: UnsentComment;
    },
    status = 200,
  ) {
    const conversation: Conversation = await loadConversation(app, viewer, item.subject, { after: data.after ?? null });
    const itemTitle = item.kind.title(item.data, request.t);
    return reply.render(
      'conversation/page',
      { title: request.t('conversation.page.title', { title: itemTitle }), itemTitle, item, conversation, ...data },
      { status, fragment: 'conversation/comments' },
    );
  }

  // Every comment, a page of top-level comments at a time: where "more comments" leads, and where a
  // comment refused without JavaScript is shown again.
  app.get<IdParams>('/content/:id/comments', async (request, reply) => {
    const viewer = signedIn(request.user);
    const subject = await contentFor(viewer, request.params.id);
    const item = await itemFor(viewer, subject.id);
    return renderConversation(request, reply, viewer, item, { after: optionalId((request.query as Record<string, unknown>).after) });
  });

  app.post<IdParams>('/content/:id/comments', async (request, reply) => {
    const viewer = signedIn(request.user);
    const subject = await contentFor(viewer, request.params.id);
    if (!can(viewer, 'content.comment', subject)) {
      // Closed (or hidden, or unpublished again) while the comment was being written: the
      // conversation comes back with what was typed, read-only, and why (403). Its files are not kept.
      const read = await readForm(request);
      const text = typeof read.fields.body === 'string' ? read.fields.body.trim() : '';
      const item = await itemFor(viewer, subject.id);
      return renderConversation(request, reply, viewer, item, { ...(text ? { unsent: { text } } : {}) }, 403);
    }

    // Counted before the form is read (a flood is refused before its files are stored), given back
    // when the comment is refused: only comments published count.
    const writing = await app.limiters.contentWritesPerUser.reserve(request, String(viewer.id));
    const read = await refundIfThrows(writing, readForm(request));
    let form = parseForm(CommentForm, read.fields, request.t);
    // One level of replies: an answer to a reply joins the conversation of its top-level comment.
    let parentId: number | null = null;
    if (form.values.parent_id) {
      const target = await refundIfThrows(writing, findReplyTarget(app.db, optionalId(form.values.parent_id) ?? 0));
      if (target && target.contentId === subject.id && target.open) parentId = target.parentId ?? target.id;
      else form = withError(form, 'body', request.t('conversation.errors.noParent'));
    }
    // A reply form carries no file picker (one per page): its files come through the main form or an edit.
    const files =
      parentId === null
        ? await refundIfThrows(writing, receiveAttachments(uploadContext(app, viewer.id), read, { field: 'files', purpose: 'file', t: request.t }))
        : { ids: [], pending: [], error: null };
    if (files.error) form = withError(form, 'files', files.error);

    const refuse = async (status: number, errors: FieldErrors, pending: AttachmentRef[]) => {
      await writing.refund();
      const item = await itemFor(viewer, subject.id);
      const state: CommentFormState = { values: form.values, errors, pending };
      const repliedTo = optionalId(form.values.parent_id);
      if (parentId !== null && repliedTo !== null) {
        return renderConversation(request, reply, viewer, item, { after: await pageAfter(subject.id, parentId), replyForm: { ...state, parentId: repliedTo } }, status);
      }
      return renderConversation(request, reply, viewer, item, { commentForm: state }, status);
    };
    if (!form.ok) return refuse(422, form.errors, files.pending);

    let commentId: number;
    try {
      commentId = await addComment(app.db, { contentId: subject.id, authorId: viewer.id, body: form.value.body, parentId, attachmentIds: files.ids });
    } catch (error) {
      if (!(error instanceof AttachmentsTaken)) {
        await writing.refund();
        throw error;
      }
      return refuse(409, { files: request.t('attachments.errors.taken') }, await stillPending(app.db, viewer.id, files.pending));
    }
    await app.plugins.emit('comment.created', { commentId, contentId: subject.id, authorId: viewer.id, parentId });
    const url = await commentUrl(subject.id, { id: commentId, parentId });
    if (isPartialRequest(request) && url.startsWith(`/content/${subject.id}`)) {
      const item = await itemFor(viewer, subject.id);
      const after = await pageAfter(subject.id, parentId ?? commentId);
      return renderConversation(request, reply, viewer, item, { after, focusCommentId: commentId, commentNotice: request.t('conversation.flash.commented') });
    }
    reply.flash('conversation.flash.commented');
    return reply.redirectTo(url);
  });

  // A top-level comment's replies beyond the first ones shown with the conversation, a page at a time.
  app.get<IdParams>('/comments/:id/replies', async (request, reply) => {
    const viewer = signedIn(request.user);
    const subject = await commentFor(viewer, request.params.id);
    const after = optionalId((request.query as Record<string, unknown>).after);
    const page = await loadReplies(app, viewer, subject.content, subject.id, { after });
    if (!page) throw new NotFound();
    const item = await itemFor(viewer, subject.content.id);
    const itemTitle = item.kind.title(item.data, request.t);
    const author = page.comment.author?.name ?? request.t('conversation.comment.formerMember');
    return reply.render('conversation/replies', {
      title: request.t('conversation.replies.title', { name: author, title: itemTitle }),
      heading: request.t('conversation.replies.heading', { name: author }),
      itemTitle,
      item,
      page,
    });
  });

  function renderEditPage(
    request: FastifyRequest,
    reply: FastifyReply,
    page: { comment: CommentForEdit; values: Record<string, string>; errors: FieldErrors; pending: AttachmentRef[]; removing: number[] },
    status = 200,
  ) {
    return reply.render('conversation/edit', { title: request.t('conversation.edit.title'), ...page }, { status });
  }

  app.get<IdParams>('/comments/:id/edit', async (request, reply) => {
    const viewer = signedIn(request.user);
    const subject = await commentFor(viewer, request.params.id);
    authorize(viewer, 'comment.edit', subject);
    const comment = await findCommentForEdit(app.db, subject.id);
    if (!comment) throw new NotFound();
    return renderEditPage(request, reply, { comment, values: { body: comment.body }, errors: {}, pending: [], removing: [] });
  });

  app.post<IdParams>('/comments/:id/edit', async (request, reply) => {
    const viewer = signedIn(request.user);
    const subject = await commentFor(viewer, request.params.id);
    authorize(viewer, 'comment.edit', subject);
    const comment = await findCommentForEdit(app.db, subject.id);
    if (!comment) throw new NotFound();
    const read = await readForm(request);
    let form = parseForm(EditForm, read.fields, request.t);
    const own = new Set(comment.attachments.map((a) => a.id));
    const removing = claimedAttachmentIds(read.fields, 'removeAttachmentIds').filter((id) => own.has(id));
    const files = await receiveAttachments(uploadContext(app, viewer.id), read, { field: 'files', purpose: 'file', t: request.t });
    if (files.error) form = withError(form, 'files', files.error);
    if (!form.ok) {
      return renderEditPage(request, reply, { comment, values: form.values, errors: form.errors, pending: files.pending, removing }, 422);
    }
    let saved: { changed: boolean; removedFiles: string[] };
    try {
      saved = await editComment(app.db, {
        commentId: comment.id,
        contentId: comment.contentId,
        actorId: viewer.id,
        body: form.value.body,
        attachmentIds: files.ids,
        removeAttachmentIds: removing,
      });
    } catch (error) {
      if (!(error instanceof AttachmentsTaken)) throw error;
      const pending = await stillPending(app.db, viewer.id, files.pending);
      return renderEditPage(request, reply, { comment, values: form.values, errors: { files: request.t('attachments.errors.taken') }, pending, removing }, 409);
    }
    await removeStoredFiles(app.config.dataDir, saved.removedFiles);
    if (saved.changed) reply.flash('conversation.flash.commentSaved');
    else reply.flash('conversation.flash.commentUnchanged', undefined, 'info');
    return reply.redirectTo(await commentUrl(comment.contentId, comment));
  });

  // Soft delete, by the author or an admin: a placeholder stays while replies hang from it.
  app.post<IdParams>('/comments/:id/delete', async (request, reply) => {
    const viewer = signedIn(request.user);
    const subject = await commentFor(viewer, request.params.id);
    authorize(viewer, 'comment.delete', subject);
    await deleteComment(app.db, { id: subject.id, authorId: subject.authorId, contentId: subject.content.id }, viewer.id);
    request.log.info({ commentId: subject.id }, 'comment deleted');
    reply.flash('conversation.flash.commentDeleted');
    const topLevelId = subject.parentId ?? subject.id;
    return reply.redirectTo(`/content/${subject.content.id}#comment-${topLevelId}`);
  });

  // One of each reaction per person: the same button adds it and takes it back.
  app.post<IdParams>('/content/:id/reactions', async (request, reply) => {
    const viewer = signedIn(request.user);
    const subject = await contentFor(viewer, request.params.id);
    authorize(viewer, 'content.react', subject);
    const form = parseForm(ReactionForm, request.body, request.t);
    if (!form.ok) throw new HttpError(400, 'conversation.reactions.unknown');
    await toggleReaction(app.db, subject.id, viewer.id, form.value.reaction);
    if (isPartialRequest(request)) {
      const item = await itemFor(viewer, subject.id);
      return reply.render('conversation/reactions', { item, reactionsNext: safeNextPath(form.value.next, `/content/${subject.id}`) });
    }
    return reply.redirectTo(safeNextPath(form.value.next, `/content/${subject.id}`));
  });

  // Who reacted: each reaction with its count and the first people by name.
  app.get<IdParams>('/content/:id/reactions', async (request, reply) => {
    const viewer = signedIn(request.user);
    const subject = await contentFor(viewer, request.params.id);
    const [item, groups] = await Promise.all([itemFor(viewer, subject.id), whoReacted(app.db, subject.id)]);
    const itemTitle = item.kind.title(item.data, request.t);
    return reply.render('conversation/who-reacted', { title: request.t('conversation.whoReacted.title', { title: itemTitle }), itemTitle, item, groups });
  });

  // Everyone who reacted one way, a page at a time.
  app.get<ReactionParams>('/content/:id/reactions/:reaction', async (request, reply) => {
    const viewer = signedIn(request.user);
    const subject = await contentFor(viewer, request.params.id);
    const reaction = REACTIONS.find((r) => r.key === request.params.reaction);
    if (!reaction) throw new NotFound();
    const after = single((request.query as Record<string, unknown>).after);
    const [item, page] = await Promise.all([itemFor(viewer, subject.id), whoReactedWith(app.db, subject.id, reaction.key, after)]);
    const itemTitle = item.kind.title(item.data, request.t);
    return reply.render('conversation/reaction-people', {
      title: request.t('conversation.whoReacted.reactionTitle', { reaction: request.t(reaction.label), title: itemTitle }),
      itemTitle,
      item,
      reaction,
      page,
      after,
    });
  });
}

export default fp(conversationRoutes, { name: 'hameau-conversation' });
