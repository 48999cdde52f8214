/** The reference's greenhouse domain (EXESDB_SPEC §7.10), in its order. */
export const GREENHOUSE_EVENT_TYPES = [
  'temperature_measured:v1',
  'humidity_measured:v1',
  'light_measured:v1',
  'desired_temperature_set:v1',
  'desired_humidity_set:v1',
  'desired_light_set:v1',
  'light_activated:v1',
  'light_deactivated:v1',
  'fan_activated:v1',
  'fan_deactivated:v1',
  'heater_activated:v1',
  'heater_deactivated:v1',
  'sprinkler_activated:v1',
  'sprinkler_deactivated:v1',
] as const;
export type GreenhouseEventType = (typeof GREENHOUSE_EVENT_TYPES)[number] | 'initialized:v1';

/** Only the first event of a stream. */
export const INITIALIZED = 'initialized:v1';

export const OPERATORS = ['John', 'Paul', 'George', 'Ringo', 'Jim', 'Laura', 'Peter'] as const;

/** Inclusive ranges. */
export const RANGES = {
  temperature: [6, 35],
  humidity: [1, 100],
  light: [1, 100],
  intensity: [1, 100],
} as const;

/** The banner's streams (`greenhouse1..7`); producers write to greenhouse1..N. */
export const GREENHOUSE_STREAMS = Array.from({ length: 7 }, (_, i) => `greenhouse${i + 1}`);
