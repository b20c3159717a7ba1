import { makeEUInformation, standardUnits, type EUInformation } from 'node-opcua';

/**
 * OPC UA EngineeringUnits (UNECE Rec. 20 common codes) for the unit symbols the simulated machines
 * use. node-opcua's standardUnits where one exists with the same symbol; otherwise the UNECE code
 * with the symbol as an engineer writes it.
 */
const UNITS: Readonly<Record<string, EUInformation>> = {
  A: standardUnits.ampere,
  V: standardUnits.volt,
  '°C': standardUnits.degree_celsius,
  bar: standardUnits.bar,
  'm³/h': standardUnits.cubic_metre_per_hour,
  '%': standardUnits.percent,
  kW: standardUnits.kilowatt,
  Hz: standardUnits.hertz,
  rpm: makeEUInformation('RPM', 'rpm', 'revolutions per minute'),
  'mm/s': makeEUInformation('C16', 'mm/s', 'millimetre per second'),
  kWh: makeEUInformation('KWH', 'kWh', 'kilowatt hour'),
  'l/min': makeEUInformation('L2', 'l/min', 'litre per minute'),
  g: makeEUInformation('K40', 'g', 'standard acceleration of free fall (gn = 9.80665 m/s²)'),
  '': makeEUInformation('C62', '', 'one (dimensionless)'),
};

/** Unknown symbols keep their text with unitId -1, which OPC UA reserves for "no UNECE code". */
export function engineeringUnits(symbol: string): EUInformation {
  const known = UNITS[symbol];
  if (known) return known;
  const unknown = makeEUInformation('', symbol, symbol);
  unknown.unitId = -1;
  return unknown;
}
