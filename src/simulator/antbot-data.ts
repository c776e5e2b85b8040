// The simulated AntBot's do-not-call seed: two DNC lists and 26 entries (two DRF pages of 20), written as people
// type them: current 10-digit mobiles, pre-2018 11-digit mobiles, `84…` and `+84 …` forms, dashes, a landline,
// and two numbers that AntCRM also knows (a lead who asked not to be called again).

export interface SimDncList {
  id: number;
  name: string;
  description: string;
}
export interface SimDncContact {
  id: number;
  phone_number: string;
  dnc: number;
}

export const DNC_LISTS: readonly SimDncList[] = [
  { id: 1, name: 'Khách hàng từ chối', description: 'Khách hàng đã yêu cầu không gọi lại' },
  { id: 2, name: 'Danh sách cấm gọi', description: 'Số điện thoại đăng ký không nhận cuộc gọi quảng cáo' },
];

const SEED: [string, number][] = [
  ['0912000001', 1],
  ['0987000002', 1],
  ['01662223344', 2],
  ['01214445566', 2],
  ['0903000005', 1],
  ['0868000006', 2],
  ['01257778899', 2],
  ['0938000008', 1],
  ['0976000009', 2],
  ['0707000010', 2],
  ['84915000011', 1],
  ['+84 916 000 012', 2],
  ['02838220013', 2],
  ['0389000014', 1],
  ['01868000015', 2],
  ['0822000016', 2],
  ['0396000017', 1],
  ['0916777888', 1],
  ['01867654321', 1],
  ['0944000020', 2],
  ['0961000021', 2],
  ['0358000022', 1],
  ['0777000023', 2],
  ['0334000024', 2],
  ['0909-000-025', 1],
  ['0523000026', 2],
];

/** Fresh copies of the seed entries (ids 1…26). */
export function dncSeed(): SimDncContact[] {
  return SEED.map(([phone_number, dnc], i) => ({ id: i + 1, phone_number, dnc }));
}
