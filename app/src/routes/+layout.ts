// A single-page app: everything runs in the browser, secrets included.
import type { PlatformConfig } from "$client/platform-config.ts"
import { loadConfig } from "$lib/app.svelte.ts"
import type { LayoutLoad } from "./$types"

export const ssr = false
export const prerender = false

/** The runtime config, or why it could not be loaded (shown as an error page). */
export const load: LayoutLoad = async ({ fetch }): Promise<{ config?: PlatformConfig; configError?: string }> => {
    try {
        return { config: await loadConfig(fetch) }
    } catch (error) {
        return { configError: (error as Error).message }
    }
}
