/** Where the simulated PLC listens unless told otherwise; kept apart so the CLI can name it without loading node-opcua. */
export const DEFAULT_PLC_PORT = 4840;
export const DEFAULT_SIM_ENDPOINT = `opc.tcp://127.0.0.1:${DEFAULT_PLC_PORT}`;
