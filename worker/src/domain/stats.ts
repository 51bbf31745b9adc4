// Experiment statistics: conversion rates, lift over control and a two-proportion z-test.

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 erf approximation, error < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2
  const t = 1 / (1 + 0.3275911 * x)
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x)
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2
}

export type ArmCounts = { exposures: number; conversions: number }

export type Comparison = { lift: number | null; z: number | null; pValue: number | null; significant: boolean }

/** Two-sided pooled two-proportion z-test of `arm` against `baseline` (significant at p < 0.05). */
export function compareToBaseline(arm: ArmCounts, baseline: ArmCounts): Comparison {
  if (arm.exposures === 0 || baseline.exposures === 0) return { lift: null, z: null, pValue: null, significant: false }
  const p1 = arm.conversions / arm.exposures
  const p0 = baseline.conversions / baseline.exposures
  const lift = p0 === 0 ? null : (p1 - p0) / p0
  const pooled = (arm.conversions + baseline.conversions) / (arm.exposures + baseline.exposures)
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / arm.exposures + 1 / baseline.exposures))
  if (se === 0) return { lift, z: null, pValue: null, significant: false }
  const z = (p1 - p0) / se
  const pValue = 2 * (1 - normalCdf(Math.abs(z)))
  return { lift, z, pValue, significant: pValue < 0.05 }
}

export const rate = (arm: ArmCounts) => (arm.exposures === 0 ? 0 : arm.conversions / arm.exposures)
