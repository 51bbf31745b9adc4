// Ready-made flows for the product's recipes. Each one is a valid FlowInput (a unit test parses them all).
import type { FlowInput } from './schema'

export type FlowTemplate = { id: string; description: string; flow: FlowInput }

const HOUR = 3600
const DAY = 24 * HOUR
const PURCHASED = { type: 'track', event: 'Purchased' } as const

export const FLOW_TEMPLATES: FlowTemplate[] = [
  {
    id: 'pricing-follow-up',
    description: 'A known lead views pricing: an in-app offer at once, an email an hour later unless she buys.',
    flow: {
      name: 'Pricing-page follow-up',
      enabled: false,
      reentry: { type: 'cooldown', days: 30 },
      trigger: { type: 'event', match: { type: 'page', path: '/pricing*' } },
      filter: [{ field: 'lead.email', op: 'exists' }],
      goal: PURCHASED,
      steps: [
        { type: 'in_app', kind: 'banner', title: 'Questions about pricing?', body: 'Talk to us: a 15-minute call answers most of them.', cta: { label: 'Book a demo', url: '/demo' } },
        { type: 'wait', seconds: HOUR },
        { type: 'email', subject: 'Your pricing questions', body: 'Hi {{lead.traits.firstName|there}},\n\nYou looked at our plans. Reply to this email with any question, or book a demo.' },
      ],
    },
  },
  {
    id: 'hot-lead',
    description: '2+ pricing views in 7 days: if her email is known, alert sales in Slack; else offer a demo in-app.',
    flow: {
      name: 'Hot lead',
      enabled: false,
      reentry: { type: 'cooldown', days: 14 },
      trigger: { type: 'event', match: { type: 'page', path: '/pricing*' }, count: { gte: 2, withinDays: 7 } },
      filter: [],
      goal: { type: 'track', event: 'Demo Requested' },
      steps: [
        {
          type: 'branch',
          if: [{ field: 'lead.email', op: 'exists' }],
          then: [{ type: 'webhook', url: 'https://hooks.slack.com/services/REPLACE/ME', format: 'slack', body: { text: 'Hot lead: {{lead.email}} viewed pricing twice this week.' } }],
          else: [{ type: 'in_app', kind: 'modal', title: 'Want a demo?', body: 'See Acme on your own pipeline in 20 minutes.', cta: { label: 'Book a demo', url: '/demo' } }],
        },
      ],
    },
  },
  {
    id: 'budget-split',
    description: 'A form with a budget: under $5,000 → a nurture sequence; otherwise → the sales webhook.',
    flow: {
      name: 'Form budget split',
      enabled: false,
      reentry: { type: 'once' },
      trigger: { type: 'form', where: [{ field: 'traits.budget', op: 'exists' }] },
      filter: [],
      steps: [
        {
          type: 'branch',
          if: [{ field: 'lead.traits.budget', op: 'lt', value: 5000 }],
          then: [
            { type: 'email', subject: 'Getting started on a small budget', body: 'Hi {{lead.traits.firstName|there}},\n\nHere is how teams like yours start with Acme.' },
            { type: 'wait', seconds: 3 * DAY },
            { type: 'email', subject: 'Three pipelines you can copy', body: 'Hi {{lead.traits.firstName|there}},\n\nThree ready-made pipelines for small teams.' },
          ],
          else: [
            { type: 'webhook', url: 'https://hooks.slack.com/services/REPLACE/ME', format: 'slack', body: { text: 'Budget {{lead.traits.budget}}: {{lead.email}} asked for a quote.' } },
            { type: 'update', stage: 'sql', tag: 'big-budget' },
          ],
        },
      ],
    },
  },
  {
    id: 'unfinished-signup',
    description: 'Started the signup but did not finish: a reminder the next morning at 9.',
    flow: {
      name: 'Unfinished signup reminder',
      enabled: false,
      reentry: { type: 'once' },
      trigger: { type: 'event', match: { type: 'page', path: '/signup*' } },
      filter: [{ field: 'lead.email', op: 'exists' }],
      goal: { type: 'track', event: 'Signed Up' },
      steps: [
        { type: 'wait', until: '09:00' },
        { type: 'email', subject: 'Finish setting up your account', body: 'Hi {{lead.traits.firstName|there}},\n\nYour account is one step away.' },
      ],
    },
  },
  {
    id: 'checkout-abandonment',
    description: 'Reached checkout without buying: an in-app nudge, then an email after 2 hours.',
    flow: {
      name: 'Checkout abandonment',
      enabled: false,
      reentry: { type: 'cooldown', days: 7 },
      trigger: { type: 'event', match: { type: 'page', path: '/checkout*' } },
      filter: [],
      goal: PURCHASED,
      steps: [
        { type: 'wait', seconds: 30 * 60 },
        { type: 'in_app', kind: 'banner', title: 'Your cart is waiting', cta: { label: 'Back to checkout', url: '/checkout' } },
        { type: 'wait', seconds: 2 * HOUR },
        { type: 'email', subject: 'You left something behind', body: 'Hi {{lead.traits.firstName|there}},\n\nYour plan is still in the cart.' },
      ],
    },
  },
  {
    id: 'kb-mini-course',
    description: 'Signed up: a three-lesson course from the knowledge base, two days apart.',
    flow: {
      name: 'Knowledge-base mini course',
      enabled: false,
      reentry: { type: 'once' },
      trigger: { type: 'event', match: { type: 'track', event: 'Signed Up' } },
      filter: [{ field: 'lead.email', op: 'exists' }],
      steps: [
        { type: 'email', subject: 'Lesson 1: import your contacts', body: 'Hi {{lead.traits.firstName|there}},\n\nLesson 1 of 3.' },
        { type: 'wait', seconds: 2 * DAY },
        { type: 'email', subject: 'Lesson 2: build your first pipeline', body: 'Lesson 2 of 3.' },
        { type: 'wait', seconds: 2 * DAY },
        { type: 'email', subject: 'Lesson 3: automate follow-ups', body: 'Lesson 3 of 3.' },
      ],
    },
  },
  {
    id: 'proactive-support',
    description: '4 help pages in a day: offer a human in-app.',
    flow: {
      name: 'Proactive support after 4 help pages',
      enabled: false,
      reentry: { type: 'cooldown', days: 7 },
      trigger: { type: 'event', match: { type: 'page', path: '/help*' }, count: { gte: 4, withinDays: 1 } },
      filter: [],
      steps: [{ type: 'in_app', kind: 'banner', title: 'Stuck? Chat with support', body: 'A person answers within minutes.', cta: { label: 'Contact support', url: '/help/contact' } }],
    },
  },
  {
    id: 'revive-old-leads',
    description: 'Leads quiet for 60 days: one email with what is new.',
    flow: {
      name: 'Revive leads older than 60 days',
      enabled: false,
      reentry: { type: 'cooldown', days: 90 },
      trigger: { type: 'inactive', days: 60 },
      filter: [{ field: 'lead.email', op: 'exists' }, { field: 'lead.purchases', op: 'lt', value: 1 }],
      steps: [{ type: 'email', subject: 'What is new at Acme', body: 'Hi {{lead.traits.firstName|there}},\n\nA lot changed since your last visit.' }],
    },
  },
  {
    id: 'inactive-customer',
    description: 'A customer quiet for 30 days: "need help?" by email and in-app.',
    flow: {
      name: 'Inactive customer 30 days',
      enabled: false,
      reentry: { type: 'cooldown', days: 60 },
      trigger: { type: 'inactive', days: 30 },
      filter: [{ field: 'lead.purchases', op: 'gte', value: 1 }, { field: 'lead.email', op: 'exists' }],
      steps: [
        { type: 'email', subject: 'Need a hand?', body: 'Hi {{lead.traits.firstName|there}},\n\nWe have not seen you in a while. Anything we can help with?' },
        { type: 'in_app', kind: 'banner', title: 'Welcome back! Need help?', cta: { label: 'Talk to us', url: '/help/contact' } },
      ],
    },
  },
  {
    id: 'subject-line-test',
    description: 'A/B test of two subject lines on signup; each lead gets one (deterministic split).',
    flow: {
      name: 'A/B test of email subject lines',
      enabled: false,
      reentry: { type: 'once' },
      trigger: { type: 'event', match: { type: 'track', event: 'Signed Up' } },
      filter: [{ field: 'lead.email', op: 'exists' }],
      steps: [
        {
          type: 'email',
          subjects: ['Welcome to Acme, {{lead.traits.firstName|friend}}', 'Your pipeline is ready'],
          body: 'Hi {{lead.traits.firstName|there}},\n\nHere is how to get the most out of your first week.',
        },
      ],
    },
  },
]

export const findTemplate = (id: string) => FLOW_TEMPLATES.find((t) => t.id === id)
