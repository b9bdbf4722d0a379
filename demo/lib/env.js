// Shared wiring for the demo agents: the seed and required settings.
export const seed = Number(process.env.DEMO_SEED ?? 42);

export function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is required`);
    process.exit(2);
  }
  return value;
}
