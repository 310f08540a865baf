/** Plan questions shared by the tests of this folder (not a test file itself). */
import { questionSchema, type Question } from "../../plan/schema.js";

export const MODELS = [
  { key: "dich_vu_gia_dinh", label: "Dịch vụ gia đình" },
  { key: "giao_duc_cha_me", label: "Giáo dục cha mẹ" },
  { key: "giao_duc_truoc_hon_nhan", label: "Giáo dục trước hôn nhân" },
  { key: "gia_dinh_am_no", label: "Xây dựng gia đình ấm no, hạnh phúc, tiến bộ, văn minh" },
  { key: "clb_vi_thanh_nien", label: "CLB các ông bố bà mẹ có con tuổi vị thành niên" },
  { key: "clb_sua_me", label: "CLB Nuôi con bằng sữa mẹ" },
  { key: "dia_chi_tin_cay", label: "Địa chỉ tin cậy" },
];

const q = (input: unknown): Question => questionSchema.parse(input);

export const Q = {
  households: q({ key: "households", text: "Số hộ đạt 5 không 3 sạch?", type: "integer", max: 500, unit: "hộ" }),
  sessions: q({ key: "sessions", text: "Số buổi tuyên truyền?", type: "integer", min: 1, max: 50, optional: true }),
  members: q({ key: "members", text: "Số hội viên?", type: "integer", max: 100000 }),
  share: q({ key: "share", text: "Tỷ lệ hộ đạt?", type: "decimal", max: 100, unit: "%" }),
  amount: q({ key: "amount", text: "Kinh phí (nghìn đồng)?", type: "decimal", max: 1000000 }),
  held: q({ key: "held", text: "Chi hội đã tổ chức tuyên truyền chưa?", type: "yes_no" }),
  heldOptional: q({ key: "held_optional", text: "Có tổ chức ngày 28/6 không?", type: "yes_no", optional: true }),
  model: q({ key: "model", text: "Mô hình chính?", type: "single_choice", choices: MODELS }),
  models: q({ key: "models", text: "Các mô hình?", type: "multi_choice", choices: MODELS }),
  note: q({ key: "note", text: "Ghi chú?", type: "text", maxLength: 20, optional: true }),
  story: q({ key: "story", text: "Gương điển hình?", type: "text" }),
  heldOn: q({ key: "held_on", text: "Ngày tổ chức?", type: "date" }),
  victims: q({
    key: "victims",
    text: "Số nạn nhân BLGĐ được hỗ trợ / được phát hiện?",
    type: "part_of_total",
    partLabel: "được hỗ trợ",
    totalLabel: "được phát hiện",
    max: 1000,
  }),
  photos: q({ key: "photos", text: "Ảnh minh chứng?", type: "photo", max: 5 }),
} satisfies Record<string, Question>;
