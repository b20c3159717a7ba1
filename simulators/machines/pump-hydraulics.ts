/**
 * Hydraulics of pump-01, a cooling-water centrifugal pump rated 160 m³/h at 45 m head and 2970 rpm,
 * in a loop whose resistance is set by a control valve. Flows in m³/h, heads in m, pressures in bar(g).
 */

const GRAVITY = 9.81;
export const WATER_DENSITY = 998;
export const RATED_FLOW = 160;
const RATED_HEAD = 45;
export const RATED_PUMP_SPEED = 2970;
const SHUT_OFF_HEAD = 55;
const BEP_EFFICIENCY = 0.78;
/** Pump curve H = H0·n² − k·Q² (n = speed ratio), through shut-off and the rated point. */
const CURVE_K = (SHUT_OFF_HEAD - RATED_HEAD) / RATED_FLOW ** 2;
/** System curve H = Hs + R·Q²: static lift of the loop plus pipe and valve friction. */
const STATIC_HEAD = 10;
const PIPE_RESISTANCE = 0.6e-3;
/** Control valve resistance when fully open; R grows as 1/opening². */
const VALVE_RESISTANCE_OPEN = 0.35e-3;
const MIN_VALVE_OPENING = 0.08;
/** Scale of the extra resistance of a blockage (a discharge valve left partly closed). */
const BLOCKAGE_RESISTANCE = 2.1e-3;
/** Suction header pressure (tank level plus header) and the suction line's friction coefficient. */
export const SUCTION_HEADER_PRESSURE = 1.5;
export const SUCTION_LINE_RESISTANCE = 7.8e-6;

/**
 * Loop resistance R for a control valve opening (0..1) and a blockage severity (0..1). The blockage
 * behaves like a valve closing in series: −15 % flow at severity 0.5, about −45 % at 0.8, and close to
 * shut-off (dead-head) at 1.
 */
export function systemResistance(valveOpening: number, blockageSeverity: number): number {
  const blockage = (BLOCKAGE_RESISTANCE * blockageSeverity ** 2) / (1 - 0.99 * blockageSeverity);
  return PIPE_RESISTANCE + VALVE_RESISTANCE_OPEN / valveOpening ** 2 + blockage;
}

/** The control valve opening at which the loop passes `flow` at rated speed (clamped to the valve's travel). */
export function valveOpeningFor(flow: number): number {
  const needed = (SHUT_OFF_HEAD - STATIC_HEAD) / Math.max(1, flow) ** 2 - CURVE_K - PIPE_RESISTANCE;
  if (needed <= VALVE_RESISTANCE_OPEN) return 1;
  return Math.max(MIN_VALVE_OPENING, Math.sqrt(VALVE_RESISTANCE_OPEN / needed));
}

/** Where the pump curve (scaled by `headFactor` when cavitating) meets the system curve. */
export function operatingFlow(speedRatio: number, headFactor: number, resistance: number): number {
  const drivingHead = headFactor * SHUT_OFF_HEAD * speedRatio ** 2 - STATIC_HEAD;
  return drivingHead > 0 ? Math.sqrt(drivingHead / (headFactor * CURVE_K + resistance)) : 0;
}

export function pumpHead(flow: number, speedRatio: number, headFactor: number): number {
  return Math.max(0, headFactor * (SHUT_OFF_HEAD * speedRatio ** 2 - CURVE_K * flow ** 2));
}

/** Flow as a fraction of the best-efficiency flow at the current speed. */
export function flowRatio(flow: number, speedRatio: number): number {
  return speedRatio > 0 ? flow / (RATED_FLOW * speedRatio) : 0;
}

/** ρ·g·Q·H in kW. */
export function hydraulicPowerKw(flow: number, head: number): number {
  return (WATER_DENSITY * GRAVITY * flow * head) / 3.6e6;
}

/**
 * Shaft power = hydraulic power / efficiency, with efficiency(q) = η_bep·q·(2 − q) (q = flow ratio).
 * Written with the q cancelled so it stays finite at shut-off, where the pump still draws ~60 % of its
 * rated power; it scales with speed³ as the affinity laws require.
 */
export function shaftPowerKw(flow: number, head: number, speedRatio: number): number {
  if (speedRatio <= 0) return 0;
  const q = Math.min(1.8, flowRatio(flow, speedRatio));
  return (WATER_DENSITY * GRAVITY * head * RATED_FLOW * speedRatio) / (3.6e6 * BEP_EFFICIENCY * (2 - q));
}

export function headToBar(head: number): number {
  return (WATER_DENSITY * GRAVITY * head) / 1e5;
}

/** Saturation pressure of water (Antoine equation), bar absolute. */
function vapourPressureBar(temperatureC: number): number {
  const mmHg = 10 ** (8.07131 - 1730.63 / (233.426 + temperatureC));
  return mmHg / 750.06;
}

/** NPSH the suction offers (m), from the gauge suction pressure and the water temperature. */
export function npshAvailable(suctionBarG: number, temperatureC: number): number {
  return ((suctionBarG + 1.013 - vapourPressureBar(temperatureC)) * 1e5) / (WATER_DENSITY * GRAVITY);
}

/** NPSH the pump needs (m) at a flow and speed: it rises with flow and with speed². */
export function npshRequired(flow: number, speedRatio: number): number {
  return (2.5 + 3.5 * flowRatio(flow, speedRatio) ** 2) * speedRatio ** 2;
}

/**
 * How hard the pump cavitates, 0..1, from the NPSH margin NPSHa/NPSHr: bubbles (noise, broadband
 * vibration) start well above NPSHr, at a margin of 2.2, and are fully developed at 0.8.
 */
export function cavitationIntensity(npshAvailableM: number, npshRequiredM: number): number {
  if (npshRequiredM <= 0) return 0;
  return Math.min(1, Math.max(0, (2.2 - npshAvailableM / npshRequiredM) / 1.4));
}

/**
 * Share of the head left at an NPSH margin: the head starts to fall below a margin of 1.7 and has lost
 * about 13 % at 1.25, 23 % at 1 and 40 % at 0.6 (vapour blocking the impeller eye).
 */
export function cavitationHeadFactor(npshAvailableM: number, npshRequiredM: number): number {
  if (npshRequiredM <= 0) return 1;
  const breakdown = Math.min(1, Math.max(0, (1.7 - npshAvailableM / npshRequiredM) / 1.1));
  return 1 - 0.4 * breakdown ** 1.2;
}
