// The flow definition a marketer writes (API.md "Flows"): trigger, filters, goal, re-entry, policy, steps.
// Validation errors name the step ("steps.2.then: a branch needs at least one step") so a 400 is readable.
import { z } from 'zod'
import { Condition, ConditionOp, RuleMatch } from '../rules'

/** The longest wait a flow may hold a lead in one step. */
export const MAX_WAIT_SECONDS = 90 * 24 * 3600
export const MAX_STEPS = 50

/** Conditions on the lead: `lead.email`, `lead.stage`, `lead.score`, `lead.tags`, `lead.traits.budget`, … */
export const LeadField = z
  .string()
  .trim()
  .regex(
    /^lead\.(email|userId|stage|score|fitScore|engagementScore|sessions|eventCount|purchases|revenue|tags|traits(\.[A-Za-z0-9_$-]+)+)$/,
    'a lead field: lead.email, lead.userId, lead.stage, lead.score, lead.sessions, lead.purchases, lead.revenue, lead.tags or lead.traits.NAME',
  )

export const LeadCondition = z
  .object({ field: LeadField, op: ConditionOp, value: z.union([z.string().max(500), z.number(), z.boolean()]).optional() })
  .strict()
  .refine((c) => c.op === 'exists' || c.value !== undefined, { message: 'value is required unless op is exists', path: ['value'] })
export type LeadCondition = z.infer<typeof LeadCondition>

const Conditions = z.array(LeadCondition).max(20)

const EventTrigger = z
  .object({
    type: z.literal('event'),
    match: RuleMatch,
    count: z.object({ gte: z.number().int().min(1).max(1000), withinDays: z.number().int().min(1).max(365) }).strict().optional(),
  })
  .strict()
const ScoreTrigger = z.object({ type: z.literal('score'), gte: z.number().int().min(-100_000).max(100_000) }).strict()
const StageTrigger = z.object({ type: z.literal('stage'), stage: z.string().trim().min(1).max(50) }).strict()
const InactiveTrigger = z.object({ type: z.literal('inactive'), days: z.number().int().min(1).max(3650) }).strict()
/** An identify or track (a form post) whose properties/traits satisfy the conditions. */
const FormTrigger = z
  .object({ type: z.literal('form'), event: z.string().trim().min(1).max(200).optional(), where: z.array(Condition).min(1).max(20) })
  .strict()

export const FlowTrigger = z.discriminatedUnion('type', [EventTrigger, ScoreTrigger, StageTrigger, InactiveTrigger, FormTrigger])
export type FlowTrigger = z.infer<typeof FlowTrigger>

const Text = (max: number) => z.string().trim().min(1).max(max)
const SafeUrl = z
  .string()
  .trim()
  .max(2000)
  .regex(/^(https?:\/\/|\/)/i, 'an http(s) URL or a path on the site')
const Cta = z.object({ label: Text(80), url: SafeUrl }).strict()
/** Hours a message may wait for quiet hours or caps before it is dropped instead of sent late. */
const ExpiresHours = z.number().int().min(1).max(24 * 30).optional()

const WaitStep = z
  .object({
    type: z.literal('wait'),
    seconds: z.number().int().min(1).max(MAX_WAIT_SECONDS, 'a wait is at most 90 days (7,776,000 seconds)').optional(),
    /** Local time of day in the lead's time zone, "HH:MM": waits until its next occurrence. */
    until: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'until is a time of day, HH:MM').optional(),
  })
  .strict()
  .refine((s) => (s.seconds === undefined) !== (s.until === undefined), { message: 'a wait has either seconds or until' })

const EmailStep = z
  .object({
    type: z.literal('email'),
    subject: Text(200).optional(),
    /** A/B test of subject lines: each lead gets one, chosen by a hash of her id (deterministic). */
    subjects: z.array(Text(200)).min(2).max(5).optional(),
    body: Text(20_000),
    /** Transactional mail (no unsubscribe footer) is not what flows send. */
    expiresHours: ExpiresHours,
  })
  .strict()
  .refine((s) => s.subject !== undefined || s.subjects !== undefined, { message: 'an email needs a subject', path: ['subject'] })

const InAppStep = z
  .object({
    type: z.literal('in_app'),
    kind: z.enum(['banner', 'modal']).default('banner'),
    title: Text(120),
    body: Text(500).optional(),
    cta: Cta.optional(),
    expiresHours: ExpiresHours,
  })
  .strict()

const WebhookStep = z
  .object({
    type: z.literal('webhook'),
    url: z.string().trim().max(2000).regex(/^https?:\/\//i, 'an http(s) URL'),
    /** "slack": JSON body as given (Slack-compatible `{"text"}`); "signed": adds a Cairn-Signature HMAC header. */
    format: z.enum(['slack', 'signed']).default('slack'),
    body: z.record(z.string().max(100), z.unknown()).default({ text: '{{lead.email}} is hot' }),
  })
  .strict()

const UpdateStep = z
  .object({
    type: z.literal('update'),
    stage: z.string().trim().min(1).max(50).optional(),
    tag: z.string().trim().min(1).max(50).optional(),
    points: z.number().int().min(-1000).max(1000).optional(),
  })
  .strict()
  .refine((s) => s.stage !== undefined || s.tag !== undefined || s.points !== undefined, { message: 'an update sets stage, tag or points' })

export type WaitStep = z.infer<typeof WaitStep>
export type EmailStep = z.infer<typeof EmailStep>
export type InAppStep = z.infer<typeof InAppStep>
export type WebhookStep = z.infer<typeof WebhookStep>
export type UpdateStep = z.infer<typeof UpdateStep>
export type BranchStep = { type: 'branch'; if: LeadCondition[]; then: FlowStep[]; else?: FlowStep[] }
export type FlowStep = WaitStep | EmailStep | InAppStep | WebhookStep | UpdateStep | BranchStep

const STEP_TYPES = ['wait', 'email', 'in_app', 'webhook', 'branch', 'update'] as const

// Dispatch by hand instead of discriminatedUnion: an unknown type gets one clear issue, not six.
export const FlowStep: z.ZodType<FlowStep> = z.lazy(() =>
  z.unknown().superRefine((value, ctx) => {
    const type = (value as { type?: unknown } | null)?.type
    if (!STEP_TYPES.includes(type as never)) {
      ctx.addIssue({ code: 'custom', path: ['type'], message: `unknown step type ${JSON.stringify(type)}; expected one of ${STEP_TYPES.join(', ')}` })
    }
  }).pipe(
    z.union([
      WaitStep,
      EmailStep,
      InAppStep,
      WebhookStep,
      UpdateStep,
      z
        .object({
          type: z.literal('branch'),
          if: Conditions.min(1, 'a branch needs at least one condition'),
          then: z.array(FlowStep).min(1, 'a branch needs at least one step in then').max(MAX_STEPS),
          else: z.array(FlowStep).max(MAX_STEPS).optional(),
        })
        .strict(),
    ]),
  ),
) as z.ZodType<FlowStep>

export const Reentry = z.discriminatedUnion('type', [
  z.object({ type: z.literal('once') }).strict(),
  z.object({ type: z.literal('cooldown'), days: z.number().int().min(1).max(3650) }).strict(),
])
export type Reentry = z.infer<typeof Reentry>

/** Frequency caps and quiet hours: one policy for email and in-app, per site, overridable per flow. */
export const MessagePolicy = z
  .object({
    maxPerDay: z.number().int().min(1).max(100).optional(),
    maxPerWeek: z.number().int().min(1).max(500).optional(),
    quietHours: z
      .object({ start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/), end: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/) })
      .strict()
      .nullable()
      .optional(),
  })
  .strict()
export type MessagePolicy = z.infer<typeof MessagePolicy>

export const FlowDefinition = z
  .object({
    trigger: FlowTrigger,
    filter: Conditions.default([]),
    goal: RuleMatch.optional(),
    reentry: Reentry.default({ type: 'once' }),
    policy: MessagePolicy.optional(),
    steps: z.array(FlowStep).min(1, 'a flow needs at least one step').max(MAX_STEPS),
  })
  .strict()
export type FlowDefinition = z.infer<typeof FlowDefinition>

export const FlowInput = FlowDefinition.extend({ name: Text(200), enabled: z.boolean().default(false) }).strict()
export type FlowInput = z.infer<typeof FlowInput>

/** POST body that instantiates a ready-made template (optionally renamed / enabled). */
export const FromTemplate = z.object({ template: Text(100), name: Text(200).optional(), enabled: z.boolean().optional() }).strict()
export type FromTemplate = z.infer<typeof FromTemplate>
