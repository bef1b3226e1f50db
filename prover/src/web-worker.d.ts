// web-worker ships index.d.ts but its package.json "exports" hides it from NodeNext resolution.
declare module "web-worker" {
    const WebWorker: { new (url: string | URL, options?: WorkerOptions): Worker }
    export default WebWorker
}
