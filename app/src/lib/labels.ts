/** Labels that come from data (dev account names, bureau factor codes) shown in the user's language. */
import { t } from "./i18n/index.svelte.ts"

/** "lender 1" → "贷款方 1": the role word of a dev account label translated, the rest kept. */
export function devLabel(label: string): string {
    const match = /^(admin|officer|lender|borrower)\b(.*)$/.exec(label)
    if (!match) return label
    const role = match[1] as "admin" | "officer" | "lender" | "borrower"
    return `${t(`role.${role}`)}${match[2] ?? ""}`
}
