import { Type, type Static } from 'typebox';

const Identifier = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$', description: 'letters, digits, "-", "_" or "."' });

export const DeadbandSchema = Type.Object(
  {
    type: Type.Union([Type.Literal('none'), Type.Literal('absolute'), Type.Literal('percent')], {
      description: 'absolute: in engineering units; percent: of the variable\'s EURange',
    }),
    value: Type.Number({ minimum: 0 }),
  },
  { additionalProperties: false },
);

const MonitoringSettings = {
  /** Milliseconds between the server's samples of the variable; 0 lets the server sample as fast as it can. */
  samplingInterval: Type.Optional(Type.Number({ minimum: 0 })),
  queueSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  deadband: Type.Optional(DeadbandSchema),
};

export const OpcuaNodeMappingSchema = Type.Object(
  {
    nodeId: Type.String({ minLength: 1, description: 'OPC UA node id, e.g. "ns=1;s=pump-01.flow"' }),
    asset: Identifier,
    signal: Identifier,
    ...MonitoringSettings,
  },
  { additionalProperties: false },
);

export const OpcuaSecurityModeSchema = Type.Union([Type.Literal('None'), Type.Literal('Sign'), Type.Literal('SignAndEncrypt')]);
export const OpcuaSecurityPolicySchema = Type.Union([
  Type.Literal('None'),
  Type.Literal('Basic256Sha256'),
  Type.Literal('Aes128_Sha256_RsaOaep'),
  Type.Literal('Aes256_Sha256_RsaPss'),
]);

export const OpcuaSourceConfigSchema = Type.Object(
  {
    id: Identifier,
    kind: Type.Literal('opcua'),
    endpoint: Type.String({ pattern: '^opc\\.tcp://', description: 'opc.tcp://host:port[/path]' }),
    security: Type.Optional(
      Type.Object(
        {
          mode: OpcuaSecurityModeSchema,
          policy: OpcuaSecurityPolicySchema,
        },
        { additionalProperties: false },
      ),
    ),
    /** Folder of the client's PKI (own certificate, trusted/ and rejected/ server certificates). */
    certificateFolder: Type.Optional(Type.String({ minLength: 1 })),
    auth: Type.Optional(
      Type.Object({ username: Type.String({ minLength: 1 }), password: Type.String() }, { additionalProperties: false }),
    ),
    subscription: Type.Optional(
      Type.Object(
        {
          publishingInterval: Type.Optional(Type.Number({ minimum: 10 })),
          keepAliveCount: Type.Optional(Type.Integer({ minimum: 1 })),
          lifetimeCount: Type.Optional(Type.Integer({ minimum: 3 })),
          maxNotificationsPerPublish: Type.Optional(Type.Integer({ minimum: 0 })),
        },
        { additionalProperties: false },
      ),
    ),
    /** Monitoring settings applied to every node that does not set its own. */
    defaults: Type.Optional(Type.Object(MonitoringSettings, { additionalProperties: false })),
    /** Longest wait between reconnection attempts, in ms (attempts start at 250 ms and back off to this). */
    maxReconnectDelay: Type.Optional(Type.Integer({ minimum: 100 })),
    nodes: Type.Array(OpcuaNodeMappingSchema, { minItems: 1 }),
  },
  { additionalProperties: false },
);

export type OpcuaDeadband = Static<typeof DeadbandSchema>;
export type OpcuaNodeMapping = Static<typeof OpcuaNodeMappingSchema>;
export type OpcuaSourceConfig = Static<typeof OpcuaSourceConfigSchema>;

/** Rejects security settings that cannot work, before anything connects. */
export function checkSecuritySettings(security: OpcuaSourceConfig['security'], where: string): void {
  if (security === undefined) return;
  if (security.mode === 'None' && security.policy !== 'None') {
    throw new Error(`${where}: security.mode None cannot use policy ${security.policy}; set mode Sign or SignAndEncrypt, or policy None`);
  }
  if (security.mode !== 'None' && security.policy === 'None') {
    throw new Error(`${where}: security.mode ${security.mode} needs a policy (Basic256Sha256, Aes128_Sha256_RsaOaep or Aes256_Sha256_RsaPss), not None`);
  }
}
