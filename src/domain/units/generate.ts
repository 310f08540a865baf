/**
 * Deterministic synthetic unit trees for tests, benchmarks and demos. The same options and seed
 * always give the same tree. Rows come parents first (pre-order: a province, its special units,
 * then each district followed by its communes, each commune followed by its branches), so they
 * can go straight to `unitRowsToNodes` / `UnitTree` or to the store.
 *
 * Codes: province `P01`, special `P01-S1`, district `P01-D01`, commune `P01-D01-C01` (three-level:
 * `P01-C001`), branch `P01-D01-C01-B01`. `UnitRow.line` is the 1-based position in the list.
 */
import type { UnitKind } from "../types.js";
import type { UnitRow } from "./import.js";

/** Inclusive [min, max]. */
export type CountRange = readonly [number, number];

export interface TreeShape {
  /** District-level units per province (ignored when `threeLevel`). */
  districts: number;
  communesPerDistrict: CountRange;
  branchesPerCommune: CountRange;
  /** Special units directly under the province (Công an, Quân sự, …). */
  specials: number;
  /**
   * No district level: province → commune → branch, as after the 1/7/2025 reform. Communes per
   * province are `communesPerProvince`, or `districts` × `communesPerDistrict` when absent.
   */
  threeLevel?: boolean;
  communesPerProvince?: CountRange;
}

export interface GenerateProvinceOptions extends TreeShape {
  code: string;
  /** Default: "Hội LHPN tỉnh <generated place name>". */
  name?: string;
  seed: number;
}

export interface GenerateCountryOptions extends TreeShape {
  provinces: number;
  seed: number;
  /** Province code prefix, default "P" (P01, P02, …). */
  codePrefix?: string;
}

/** mulberry32: a small, fast, well-distributed 32-bit PRNG (also used by tests and benchmarks). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;

function intIn(rng: Rng, [min, max]: CountRange): number {
  const lo = Math.max(0, Math.floor(Math.min(min, max)));
  const hi = Math.max(lo, Math.floor(Math.max(min, max)));
  return lo + Math.floor(rng() * (hi - lo + 1));
}

function pick<T>(rng: Rng, list: readonly T[]): T {
  return list[Math.floor(rng() * list.length)]!;
}

/** Syllables common in Vietnamese place names (Sino-Vietnamese "good words"). */
const SYLLABLES = [
  "An", "Bình", "Hòa", "Phú", "Thịnh", "Hưng", "Tân", "Đông", "Tây", "Nam", "Bắc", "Trung",
  "Yên", "Thanh", "Xuân", "Hải", "Giao", "Trực", "Nghĩa", "Minh", "Phúc", "Lộc", "Thọ",
  "Khánh", "Quang", "Hồng", "Vĩnh", "Long", "Thắng", "Lợi", "Thuận", "Hiệp", "Cường", "Định",
  "Sơn", "Lâm", "Hà", "Thủy", "Châu", "Kiên", "Phương", "Hợp", "Thành", "Hạnh", "Đức", "Mỹ",
  "Tiến", "Lạc", "Dương", "Điền", "Hoàng", "Hiển", "Nhân", "Chính", "Tuấn", "Quý", "Liêm",
  "Đạo", "Hậu", "Ninh", "Trường", "Cát", "Tín", "Hùng", "Kim", "Ngọc", "Tú", "Văn", "Đồng",
  "Tường", "Mai", "Tâm", "Toàn", "Quế", "Hương", "Phong", "Lương", "Bảo", "Hoa", "Thái",
] as const;

const SPECIAL_NAMES = [
  "Hội phụ nữ Công an tỉnh",
  "Hội phụ nữ Bộ chỉ huy Quân sự tỉnh",
  "Hội phụ nữ Bộ chỉ huy Bộ đội Biên phòng tỉnh",
  "Ban nữ công Liên đoàn Lao động tỉnh",
  "Hội phụ nữ Cơ quan Tỉnh ủy",
  "Hội phụ nữ Cơ quan Ủy ban nhân dân tỉnh",
] as const;

function placeName(rng: Rng): string {
  const a = pick(rng, SYLLABLES);
  let b = pick(rng, SYLLABLES);
  if (b === a) b = SYLLABLES[(SYLLABLES.indexOf(a) + 1) % SYLLABLES.length]!;
  return `${a} ${b}`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

function widthFor(count: number): number {
  return Math.max(2, String(count).length);
}

/** Appends rows to `out`; keeps a single array so national trees stay cheap. */
class Emitter {
  readonly out: UnitRow[] = [];
  emit(code: string, name: string, kind: UnitKind, parentCode: string | null): void {
    this.out.push({ code, name, kind, parentCode, line: this.out.length + 1 });
  }
}

function districtName(rng: Rng): string {
  const r = rng();
  const prefix = r < 0.85 ? "huyện" : r < 0.93 ? "thị xã" : "thành phố";
  return `Hội LHPN ${prefix} ${placeName(rng)}`;
}

function communeName(rng: Rng): string {
  const r = rng();
  const prefix = r < 0.82 ? "xã" : r < 0.92 ? "phường" : "thị trấn";
  return `Hội LHPN ${prefix} ${placeName(rng)}`;
}

function branchName(rng: Rng, index: number): string {
  const r = rng();
  if (r < 0.6) return `Chi hội thôn ${placeName(rng)}`;
  if (r < 0.85) return `Chi hội xóm ${index}`;
  return `Chi hội tổ dân phố ${index}`;
}

function emitCommune(e: Emitter, rng: Rng, code: string, parent: string, shape: TreeShape): void {
  e.emit(code, communeName(rng), "commune", parent);
  const branches = intIn(rng, shape.branchesPerCommune);
  const w = widthFor(branches);
  for (let b = 1; b <= branches; b++) e.emit(`${code}-B${pad(b, w)}`, branchName(rng, b), "branch", code);
}

function emitProvince(e: Emitter, rng: Rng, code: string, name: string, shape: TreeShape): void {
  e.emit(code, name, "province", null);
  const sw = String(Math.max(1, shape.specials)).length;
  for (let s = 1; s <= shape.specials; s++) {
    const base = SPECIAL_NAMES[(s - 1) % SPECIAL_NAMES.length]!;
    const round = Math.floor((s - 1) / SPECIAL_NAMES.length);
    e.emit(`${code}-S${pad(s, sw)}`, round === 0 ? base : `${base} (${round + 1})`, "special", code);
  }
  if (shape.threeLevel) {
    const range: CountRange = shape.communesPerProvince ?? [
      shape.districts * shape.communesPerDistrict[0],
      shape.districts * shape.communesPerDistrict[1],
    ];
    const communes = intIn(rng, range);
    const w = Math.max(3, String(communes).length);
    for (let c = 1; c <= communes; c++) emitCommune(e, rng, `${code}-C${pad(c, w)}`, code, shape);
    return;
  }
  const dw = widthFor(shape.districts);
  for (let d = 1; d <= shape.districts; d++) {
    const dCode = `${code}-D${pad(d, dw)}`;
    e.emit(dCode, districtName(rng), "district", code);
    const communes = intIn(rng, shape.communesPerDistrict);
    const cw = widthFor(communes);
    for (let c = 1; c <= communes; c++) emitCommune(e, rng, `${dCode}-C${pad(c, cw)}`, dCode, shape);
  }
}

/** One province tree. */
export function generateProvince(options: GenerateProvinceOptions): UnitRow[] {
  const rng = prng(options.seed);
  const e = new Emitter();
  const name = options.name ?? `Hội LHPN tỉnh ${placeName(rng)}`;
  emitProvince(e, rng, options.code.toUpperCase(), name, options);
  return e.out;
}

/** Several province trees (several roots) with distinct province names. */
export function generateCountry(options: GenerateCountryOptions): UnitRow[] {
  const rng = prng(options.seed);
  const e = new Emitter();
  const prefix = (options.codePrefix ?? "P").toUpperCase();
  const w = widthFor(options.provinces);
  const used = new Set<string>();
  for (let p = 1; p <= options.provinces; p++) {
    let place = placeName(rng);
    for (let n = 2; used.has(place); n++) place = `${placeName(rng)}${n > 20 ? ` ${n}` : ""}`;
    used.add(place);
    emitProvince(e, rng, `${prefix}${pad(p, w)}`, `Hội LHPN tỉnh ${place}`, options);
  }
  return e.out;
}

/** About 2,500 units: 1 province, 4 specials, 10 districts × 18–26 communes × 7–14 branches. */
export function provinceScale(seed: number, threeLevel = false): UnitRow[] {
  return generateProvince({
    code: "P01",
    districts: 10,
    communesPerDistrict: [18, 26],
    branchesPerCommune: [7, 14],
    specials: 4,
    threeLevel,
    seed,
  });
}

/**
 * About 100,000 units, the whole country after the 2025 reform: 34 provinces (4 specials each),
 * three levels, 70–126 communes per province (≈ 3,300 in all) × 15–43 branches (≈ 97,000).
 */
export function nationalScale(seed: number): UnitRow[] {
  return generateCountry({
    provinces: 34,
    districts: 0,
    communesPerDistrict: [0, 0],
    communesPerProvince: [70, 126],
    branchesPerCommune: [15, 43],
    specials: 4,
    threeLevel: true,
    seed,
  });
}
