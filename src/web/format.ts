/** Numbers, shares and times as the pages show them (Vietnamese formats of src/domain/vi). */
import { localIsoDate, localTimeText } from "../domain/periods.js";
import { formatDate, formatNumber, formatPercent } from "../domain/vi/format.js";

/** "12/20" style counts. */
export const count = (n: number): string => formatNumber(n);

/** A share as "85,0 %", or "–" when there is none. */
export const share = (fraction: number | null | undefined): string => (fraction === null || fraction === undefined ? "–" : formatPercent(fraction));

/** "08:30 20/11/2025" */
export const when = (d: Date): string => `${localTimeText(d)} ${formatDate(localIsoDate(d))}`;
