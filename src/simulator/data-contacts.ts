// The simulated AntCRM's contacts: raw records in AntCRM's own shape (GET /contacts), Vietnamese data.
// Some phones are stored in the pre-2018 11-digit mobile form, some with spaces/dots/dashes, some numbers match
// several records (a lead and a customer for one person, an account and its contact), and some callers have none.
import { createHash } from 'node:crypto';

/** One AntCRM record as GET /contacts returns it. */
export interface CrmRecord {
  name: string;
  contactType: 'lead' | 'customer';
  /** "0" contact, "1" account (customers only; "" for leads). */
  type: '' | '0' | '1';
  leadId: string;
  customerId: string;
  dateOfBirth: string;
  gender: string;
  addresses: string[];
  phones: string[];
  emails: string[];
  industry: string;
  bgInfo: string;
  stage: string;
  tags: string[];
  sourceContact: string;
  responsibleStaff: string;
  cusFields: { key: string; value: string }[];
  scoreAvailable: number;
  scoreRank: number;
  rankName: string;
  createdAt: string;
  updatedAt: string;
}

type Kind = 'lead' | 'contact' | 'account';
// [name, kind, phones as stored, emails, tags, stage, responsible staff (AntRing username), rank 0..4]
type Row = [string, Kind, string[], string[], string[], string, string, number];

const ROWS: Row[] = [
  [
    'Nguyễn Văn An',
    'contact',
    ['0934890883'],
    ['an.nguyen@gmail.com'],
    ['vip'],
    'Khách hàng thân thiết',
    'lan.nguyen',
    3,
  ],
  ['Trần Thị Bích Ngọc', 'lead', ['01693608879'], ['ngoc.tran@yahoo.com'], ['facebook'], 'Mới', 'minh.tran', 0],
  ['Lê Hoàng Phúc', 'contact', ['0912 345 678'], ['phuc.le@hoangphuc.vn'], [], 'Khách hàng mới', 'huong.le', 1],
  ['Phạm Minh Châu', 'lead', ['0987.654.321'], [], ['website'], 'Đang liên hệ', 'lan.nguyen', 0],
  [
    'Võ Thị Mai',
    'contact',
    ['0909-112-233'],
    ['mai.vo@gmail.com'],
    ['bảo hành'],
    'Khách hàng thân thiết',
    'tuan.pham',
    2,
  ],
  ['Đặng Quốc Bảo', 'lead', ['01628456789'], ['bao.dang@gmail.com'], [], 'Quan tâm', 'minh.tran', 0],
  ['Bùi Thị Thu Trang', 'contact', ['01205566778'], ['trang.bui@outlook.com'], ['vip'], 'VIP', 'huong.le', 4],
  ['Hồ Văn Thành', 'contact', ['01237788990'], [], ['đại lý'], 'Khách hàng mới', 'thao.vo', 1],
  ['Ngô Thị Hạnh', 'lead', ['01867654321'], ['hanh.ngo@gmail.com'], ['zalo'], 'Mới', 'tuan.pham', 0],
  [
    'Dương Minh Khôi',
    'contact',
    ['01992233445'],
    ['khoi.duong@gmail.com'],
    [],
    'Khách hàng thân thiết',
    'lan.nguyen',
    2,
  ],
  ['Lý Thị Kim Oanh', 'lead', ['01263344556'], [], ['hội chợ'], 'Đang liên hệ', 'thao.vo', 0],
  ['Huỳnh Tấn Phát', 'contact', ['01298877665'], ['phat.huynh@tanphat.com.vn'], ['đại lý'], 'VIP', 'duc.hoang', 4],
  [
    'Công ty TNHH Minh Phát',
    'account',
    ['02838223344', '0903112233'],
    ['info@minhphat.vn'],
    ['doanh nghiệp'],
    'Khách hàng thân thiết',
    'minh.tran',
    3,
  ],
  [
    'Trịnh Minh Phát',
    'contact',
    ['0903112233'],
    ['phat.trinh@minhphat.vn'],
    ['doanh nghiệp'],
    'Khách hàng thân thiết',
    'minh.tran',
    3,
  ],
  ['Phan Thị Lan Anh', 'lead', ['0978123456'], ['lananh.phan@gmail.com'], ['website'], 'Chốt đơn', 'huong.le', 0],
  ['Phan Thị Lan Anh', 'contact', ['0978123456'], ['lananh.phan@gmail.com'], [], 'Khách hàng mới', 'huong.le', 1],
  ['Đỗ Văn Hùng', 'lead', ['01682345678'], [], ['facebook'], 'Quan tâm', 'tuan.pham', 0],
  ['Đỗ Văn Hùng', 'contact', ['0382345678'], ['hung.do@gmail.com'], [], 'Khách hàng mới', 'tuan.pham', 1],
  [
    'Mai Xuân Trường',
    'contact',
    ['0945667788'],
    ['truong.mai@gmail.com'],
    ['bảo hành'],
    'Khách hàng thân thiết',
    'thao.vo',
    2,
  ],
  ['Tô Ngọc Hân', 'lead', ['0868123123'], [], ['tiktok'], 'Mới', 'lan.nguyen', 0],
  ['Lâm Gia Huy', 'contact', ['0896789012'], ['huy.lam@giahuy.vn'], [], 'Khách hàng mới', 'duc.hoang', 1],
  ['Châu Thị Mỹ Linh', 'lead', ['0779988776'], ['mylinh.chau@gmail.com'], ['website'], 'Đang liên hệ', 'minh.tran', 0],
  [
    'Công ty CP Thương mại Sài Gòn Xanh',
    'account',
    ['02873001234'],
    ['lienhe@saigonxanh.vn'],
    ['doanh nghiệp'],
    'VIP',
    'lan.nguyen',
    4,
  ],
  ['Vũ Đức Thắng', 'contact', ['0888123456'], ['thang.vu@gmail.com'], [], 'Khách hàng thân thiết', 'huong.le', 2],
  ['Kiều Thanh Tâm', 'lead', ['0822334455'], [], ['zalo'], 'Mới', 'thao.vo', 0],
  [
    'Quách Thị Ngọc Diệp',
    'contact',
    ['0961234567', '0708123456'],
    ['diep.quach@gmail.com'],
    ['vip'],
    'VIP',
    'lan.nguyen',
    4,
  ],
  ['Tạ Minh Nhật', 'lead', ['0523456789'], ['nhat.ta@gmail.com'], [], 'Quan tâm', 'tuan.pham', 0],
  ['Lưu Bảo Ngọc', 'contact', ['0328765432'], [], ['bảo hành'], 'Khách hàng mới', 'minh.tran', 1],
  ['Đinh Công Tráng', 'lead', ['0916777888'], ['trang.dinh@congtrang.vn'], ['hội chợ'], 'Chốt đơn', 'duc.hoang', 0],
  ['Hà Thị Phương', 'contact', ['0398112233'], ['phuong.ha@gmail.com'], [], 'Khách hàng thân thiết', 'huong.le', 2],
  ['Cao Văn Lợi', 'lead', ['0583456712'], [], ['facebook'], 'Mới', 'thao.vo', 0],
  ['Triệu Vy', 'contact', ['0865432109'], ['vy.trieu@gmail.com'], ['vip'], 'VIP', 'lan.nguyen', 3],
  [
    'Công ty TNHH Đại Dương Xanh',
    'account',
    ['0283 910 2233', '0932556677'],
    ['contact@daiduongxanh.vn'],
    ['doanh nghiệp'],
    'Khách hàng mới',
    'tuan.pham',
    2,
  ],
  [
    'Nguyễn Thị Thu Hà',
    'contact',
    ['0932556677'],
    ['thuha.nguyen@daiduongxanh.vn'],
    ['doanh nghiệp'],
    'Khách hàng mới',
    'tuan.pham',
    2,
  ],
  ['Lê Văn Tám', 'lead', ['0904001122'], [], ['website'], 'Đang liên hệ', 'minh.tran', 0],
  ['Phùng Thanh Độ', 'contact', ['0993456789'], ['do.phung@gmail.com'], [], 'Khách hàng mới', 'huong.le', 1],
  ['Mạc Thị Bưởi', 'lead', ['0794455667'], [], ['tiktok'], 'Mới', 'thao.vo', 0],
  ['Tăng Thanh Hà', 'contact', ['0839998887'], ['ha.tang@gmail.com'], ['vip'], 'VIP', 'lan.nguyen', 4],
  ['Âu Dương Phong', 'lead', ['0847123456'], ['phong.au@gmail.com'], [], 'Quan tâm', 'duc.hoang', 0],
  ['Ninh Văn Bình', 'contact', ['0367890123'], [], ['bảo hành'], 'Khách hàng thân thiết', 'tuan.pham', 2],
];

/** Caller numbers that no record holds, in any form. */
export const UNKNOWN_NUMBERS: readonly string[] = [
  '0919000111',
  '0383000222',
  '0707000333',
  '0563000444',
  '0888000555',
  '0977000666',
  '0338000777',
  '0909000888',
  '0394000999',
];

const RANKS = ['', 'Đồng', 'Bạc', 'Vàng', 'Kim cương'];
const CITIES = [
  'Quận 1, TP. Hồ Chí Minh',
  'Quận Cầu Giấy, Hà Nội',
  'Quận Hải Châu, Đà Nẵng',
  'TP. Thủ Đức, TP. Hồ Chí Minh',
];

const hex = (seed: string, len: number): string => createHash('sha1').update(seed).digest('hex').slice(0, len);

function toRecord(row: Row, i: number): CrmRecord {
  const [name, kind, phones, emails, tags, stage, staff, rank] = row;
  const created = Date.UTC(2023, i % 12, 1 + (i % 27), 2 + (i % 9));
  const id = hex(`antcrm:${i}`, 24);
  return {
    name,
    contactType: kind === 'lead' ? 'lead' : 'customer',
    type: kind === 'lead' ? '' : kind === 'account' ? '1' : '0',
    leadId: kind === 'lead' ? id : '',
    customerId: kind === 'lead' ? '' : id,
    dateOfBirth: kind === 'account' ? '' : `19${70 + (i % 25)}-0${1 + (i % 9)}-${10 + (i % 18)}`,
    gender: kind === 'account' ? '' : /Thị|Vy|Ngọc Hân|Lan Anh/.test(name) ? 'female' : 'male',
    addresses: [CITIES[i % CITIES.length]],
    phones: [...phones],
    emails: [...emails],
    industry: kind === 'account' ? 'Thương mại' : '',
    bgInfo: '',
    stage,
    tags: [...tags],
    sourceContact: tags[0] ?? 'hotline',
    responsibleStaff: staff,
    cusFields: [],
    scoreAvailable: rank * 1250,
    scoreRank: rank,
    rankName: RANKS[rank] ?? '',
    createdAt: new Date(created).toISOString(),
    updatedAt: new Date(created + 86_400_000 * (30 + i)).toISOString(),
  };
}

/** Fresh copies of the seed records (tests may mutate theirs). */
export function crmRecords(): CrmRecord[] {
  return ROWS.map(toRecord);
}
