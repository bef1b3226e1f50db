import { readFileSync } from "node:fs"
import { Circomkit } from "circomkit"
const ck = new Circomkit({ ...JSON.parse(readFileSync("circomkit.json", "utf8")), verbose: false, logLevel: "silent" })
let t0 = Date.now()
const t = await ck.WitnessTester("probe_range", { file: "lib/range", template: "AssertGreaterEq", params: [16], pubs: [] })
console.log("compile ms", Date.now() - t0)
try { await t.calculateWitness({ a: 5, b: 6 }) } catch (e) { console.log(JSON.stringify((e as Error).message)) }
try { await t.calculateWitness({ a: 1n<<16n, b: 6 }) } catch (e) { console.log(JSON.stringify((e as Error).message)) }
const w = await t.calculateWitness({ a: 7, b: 6 })
await t.loadSymbols()
console.log(Object.keys((t as any).symbols).slice(0, 30))
console.log(await t.getConstraintCount())
