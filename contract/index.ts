// The contract between the Worker, the SDK and the dashboard: one definition of each shared rule.
// The SDK imports single files (only what it uses) to stay within its size budget.
export * from './campaign.js'
export * from './conditions.js'
export * from './events.js'
export * from './glob.js'
export * from './names.js'
export * from './slots.js'
