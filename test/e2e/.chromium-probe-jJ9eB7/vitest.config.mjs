export default { test: { include: ["probe.ts"], pool: "forks" } }
