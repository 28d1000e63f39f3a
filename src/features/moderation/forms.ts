// The moderation forms' fields: a reason to hide (shown to the author), a reason to report, a note
// when dismissing reports.
import { Type } from '@sinclair/typebox';
import { Field } from '../../http/form.js';
import { DECISION_NOTE_MAX, HIDE_REASON_MAX, REPORT_REASON_MAX } from './service.js';

export const HideForm = Type.Object({ reason: Field.text({ max: HIDE_REASON_MAX }) });
export const ReportForm = Type.Object({ reason: Field.text({ max: REPORT_REASON_MAX }) });
export const DismissForm = Type.Object({ note: Field.optional(Field.text({ max: DECISION_NOTE_MAX })) });
