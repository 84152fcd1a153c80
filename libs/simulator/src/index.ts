// @recsys/simulator: simulated shops driving the real services (recsys simulate), and the wait for served signals the evaluations share.
export { runSession, type SessionResult, type Shown, type SimEvent } from './session';
export { simulate, type SimulationClients, type SimulationOptions, type SimulationReport } from './simulate';
export { untilSignalsServed } from './signals-served';
export { affinity, drawItem, makeWorld, type Device, type SimItem, type SimUser, type World, type WorldOptions } from './world';
