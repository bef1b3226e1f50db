// snarkjs exports more than @types/snarkjs declares; these are the parts the build scripts use.
import "snarkjs"

declare module "snarkjs" {
    export namespace curves {
        function getCurveFromName(name: string): Promise<{ terminate(): Promise<void> }>
    }
}
