/** Why (part of) an MQTT message did not become samples. */
export type RejectReason =
  | 'payload_too_large'
  | 'malformed_json'
  | 'no_matching_mapping'
  | 'missing_field'
  | 'not_an_array'
  | 'not_a_number'
  | 'bad_timestamp'
  | 'unknown_signal'
  | 'empty_name';

/**
 * One problem found in a message: the whole message (too large, not JSON, no mapping), one reading
 * of a `samples` array (its timestamp), one field (missing, not a number), or one asset/signal pair
 * the gateway does not know. `detail` names the topic, the field path and what was found.
 */
export interface Reject {
  readonly reason: RejectReason;
  readonly detail: string;
}
