import { connectAsync, type MqttClient } from 'mqtt';

/** A plain mqtt.js client standing in for a sensor. */
export async function connectPublisher(url: string): Promise<MqttClient> {
  return connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000 });
}

export async function publish(client: MqttClient, topic: string, payload: string | Buffer | object): Promise<void> {
  const body = typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload);
  await client.publishAsync(topic, body, { qos: 1 });
}
