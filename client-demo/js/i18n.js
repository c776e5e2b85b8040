// Labels in Vietnamese and English, and locale-aware formatting (vi-VN / en-GB).
// The language comes from ?lang= / #lang=, else the last choice (localStorage), else the browser, else Vietnamese.

const LABELS = {
  vi: {
    'app.agent': 'Bảng điều khiển tổng đài viên',
    'app.wallboard': 'Màn hình tổng đài',
    'lang.switch': 'English',
    'conn.connecting': 'Đang kết nối…',
    'conn.live': 'Trực tuyến',
    'conn.reconnecting': 'Đang kết nối lại…',
    'conn.expired': 'Phiên đã hết hạn',
    'conn.unauthorized': 'Mã truy cập không hợp lệ',
    'conn.no_token': 'Chưa có mã truy cập',
    'conn.expired.help': 'Mã truy cập (token) đã hết hạn. Hãy mở lại liên kết mới hoặc dán token mới.',
    'conn.unauthorized.help': 'Cầu nối từ chối mã truy cập này. Hãy dán token mới.',
    'conn.no_token.help':
      'Mở trang bằng liên kết có #token=… (npm start in ra các liên kết demo) hoặc dán token vào đây.',
    'conn.token.label': 'Token mới',
    'conn.token.apply': 'Kết nối',
    'now.title': 'Cuộc gọi hiện tại',
    'now.idle': 'Đang chờ cuộc gọi',
    'now.idle.help': 'Cuộc gọi đến sẽ hiện ra ở đây ngay khi đổ chuông.',
    'state.ringing': 'Đang đổ chuông',
    'state.ringing.outbound': 'Đang gọi ra',
    'state.answered': 'Đang đàm thoại',
    'state.ended': 'Đã kết thúc',
    'dir.inbound': 'Gọi đến',
    'dir.outbound': 'Gọi đi',
    'dir.internal': 'Nội bộ',
    'outcome.answered': 'Đã kết thúc',
    'outcome.answered_elsewhere': 'Đồng nghiệp đã nghe máy',
    'outcome.missed': 'Cuộc gọi nhỡ',
    'outcome.abandoned': 'Khách đã gác máy',
    'outcome.busy': 'Máy bận',
    'outcome.failed': 'Không thành công',
    'contact.lead': 'Khách hàng tiềm năng',
    'contact.customer': 'Khách hàng',
    'contact.account': 'Doanh nghiệp',
    'contact.stage': 'Giai đoạn',
    'contact.staff': 'Phụ trách',
    'contact.rank': 'Hạng',
    'contact.pending': 'Đang tra cứu AntCRM…',
    'contact.not_found': 'Chưa có hồ sơ trong AntCRM',
    'contact.error': 'Không tra cứu được AntCRM',
    'contact.disabled': 'Chưa kết nối CRM',
    'contact.multiple': '{n} hồ sơ trùng số này, chọn một:',
    'contact.choose': 'Chọn hồ sơ',
    'call.queue': 'Hàng chờ',
    'call.dismiss': 'Đóng',
    'wrapup.title': 'Ghi chú sau cuộc gọi',
    'hooks.title': 'Webhook đã nhận',
    'hooks.help':
      'Bộ nhận webhook tích hợp trong chế độ demo: mỗi lần gửi được kiểm tra chữ ký bằng thư viện chuẩn Standard Webhooks và chỉ xử lý một lần cho mỗi webhook-id.',
    'hooks.time': 'Lúc nhận',
    'hooks.type': 'Sự kiện',
    'hooks.call': 'Cuộc gọi',
    'hooks.verified': 'đã xác minh',
    'hooks.verified.help': 'Chữ ký HMAC-SHA256 của id.timestamp.body khớp với WEBHOOK_SECRET',
    'hooks.count': '{n} webhook đã xử lý',
    'hooks.empty': 'Chưa nhận webhook nào.',
    'hooks.unavailable': 'Trang này chỉ có trong chế độ demo.',
    'wrapup.note': 'Ghi chú',
    'wrapup.placeholder': 'Khách cần gì, đã hẹn gì…',
    'wrapup.disposition': 'Kết quả',
    'wrapup.disposition.none': '— Không chọn —',
    'wrapup.disposition.callback': 'Gọi lại',
    'wrapup.disposition.sale': 'Bán hàng',
    'wrapup.disposition.support': 'Hỗ trợ',
    'wrapup.disposition.complaint': 'Khiếu nại',
    'wrapup.save': 'Lưu vào AntCRM',
    'wrapup.sending': 'Đang lưu…',
    'wrapup.accepted': 'Đã nhận ghi chú; đang ghi vào AntCRM.',
    'wrapup.empty': 'Hãy nhập ghi chú (tối đa 2000 ký tự).',
    'wrapup.err': 'Không lưu được: {message}',
    'crm.pending': 'AntCRM: đang ghi…',
    'crm.written': 'AntCRM: đã ghi',
    'crm.failed': 'AntCRM: ghi thất bại',
    'crm.ticket': 'phiếu #{id}',
    'crm.lead': 'khách tiềm năng mới',
    'today.title': 'Cuộc gọi hôm nay',
    'today.answered': 'Đã nghe',
    'today.no_answer': 'Không trả lời',
    'outcome.ended': 'Đã kết thúc',
    'today.empty': 'Chưa có cuộc gọi nào hôm nay.',
    'today.history_error': 'Không tải được lịch sử cuộc gọi ({code}).',
    'today.redial': 'Gọi lại',
    'today.redial.label': 'Gọi lại {number}',
    'sum.title': 'Hôm nay',
    'sum.total': 'cuộc gọi',
    'sum.answered': 'đã nghe',
    'sum.missed': 'nhỡ',
    'sum.talk': 'đàm thoại',
    'hist.success': 'Đã nghe',
    'hist.ivr': 'Nhỡ',
    'hist.cancelled': 'Đã hủy',
    'hist.busy': 'Máy bận',
    'hist.unsuccess': 'Không thành công',
    'hist.unknown': '—',
    'dial.title': 'Gọi điện',
    'dial.label': 'Số điện thoại',
    'dial.placeholder': 'VD: 0934 890 883',
    'dial.button': 'Gọi',
    'dial.help': 'Máy của bạn đổ chuông trước, nhấc máy để nối với khách hàng.',
    'dial.dialing': 'Đang gọi {number}: hãy nhấc máy của bạn.',
    'dial.sending': 'Đang gửi yêu cầu gọi…',
    'dial.offline': 'Chưa kết nối tới cầu nối: thử lại sau.',
    'err.device_offline': 'Điện thoại của bạn đang ngoại tuyến: mở softphone rồi thử lại.',
    'err.dnc': 'Số này nằm trong danh sách không gọi (DNC).',
    'err.invalid_number': 'Số điện thoại không hợp lệ.',
    'err.rate_limited': 'Bạn gọi quá nhanh: thử lại sau {sec} giây.',
    'err.token_expired': 'Phiên đã hết hạn: hãy đăng nhập lại.',
    'err.unauthorized': 'Mã truy cập không hợp lệ.',
    'err.forbidden': 'Tài khoản này không được phép gọi ra.',
    'err.other': 'Không gọi được: {message}',
    'err.network': 'Không kết nối được tới cầu nối.',
    'wb.waiting': 'Đang chờ',
    'wb.offered': 'Cuộc gọi vào',
    'wb.handled': 'Đã phục vụ',
    'wb.abandoned': 'Bỏ cuộc',
    'wb.avg_wait': 'Chờ trung bình',
    'wb.max_wait': 'Chờ lâu nhất',
    'wb.all_queues': 'Tất cả hàng chờ',
    'wb.queues': 'Hàng chờ',
    'wb.queue.agents': '{n} tổng đài viên',
    'wb.queue.waiting': 'đang chờ',
    'wb.queue.longest': 'chờ lâu nhất',
    'wb.queue.none': 'Không có cuộc gọi chờ',
    'wb.agents': 'Tổng đài viên',
    'wb.agent.ready': 'Sẵn sàng',
    'wb.agent.ringing': 'Đang đổ chuông',
    'wb.agent.connected': 'Đang gọi',
    'wb.agent.wrapup': 'Sau cuộc gọi',
    'wb.agent.paused': 'Tạm nghỉ',
    'wb.agent.logged_out': 'Đăng xuất',
    'wb.updated': 'Cập nhật {time}',
    'wb.recovery': 'Gọi lại cuộc gọi nhỡ (hôm nay)',
    'wb.rec.missed': 'Cuộc gọi nhỡ',
    'wb.rec.recovered': 'Đã gọi lại được',
    'wb.rec.open': 'Chờ gọi lại',
    'wb.rec.scheduled': 'AntBot đang gọi lại',
    'wb.rec.unreached': 'Không liên lạc được',
    'wb.rec.median': 'Thời gian gọi lại (trung vị)',
    'call.callback': 'Gọi lại cuộc gọi nhỡ',
    'call.recovers': 'Khách có cuộc gọi nhỡ chưa được gọi lại',
    'wb.stale': 'Dữ liệu cũ: lần cập nhật cuối lúc {time}',
    'wb.waiting_for_data': 'Đang chờ số liệu…',
    'wb.other_queue': 'Khác',
    'toast.close': 'Đóng thông báo',
    'widget.call': 'Gọi {number} qua AntRing',
  },
  en: {
    'app.agent': 'Agent panel',
    'app.wallboard': 'Wallboard',
    'lang.switch': 'Tiếng Việt',
    'conn.connecting': 'Connecting…',
    'conn.live': 'Live',
    'conn.reconnecting': 'Reconnecting…',
    'conn.expired': 'Token expired',
    'conn.unauthorized': 'Invalid token',
    'conn.no_token': 'No token',
    'conn.expired.help': 'Your access token has expired. Open a fresh link or paste a new token.',
    'conn.unauthorized.help': 'The bridge refused this token. Paste a new one.',
    'conn.no_token.help':
      'Open this page with a link ending in #token=… (npm start prints demo links) or paste a token here.',
    'conn.token.label': 'New token',
    'conn.token.apply': 'Connect',
    'now.title': 'Current calls',
    'now.idle': 'Waiting for calls',
    'now.idle.help': 'An incoming call pops here the moment it rings.',
    'state.ringing': 'Ringing',
    'state.ringing.outbound': 'Calling',
    'state.answered': 'On call',
    'state.ended': 'Ended',
    'dir.inbound': 'Inbound',
    'dir.outbound': 'Outbound',
    'dir.internal': 'Internal',
    'outcome.answered': 'Ended',
    'outcome.answered_elsewhere': 'Answered by a colleague',
    'outcome.missed': 'Missed',
    'outcome.abandoned': 'Caller hung up',
    'outcome.busy': 'Busy',
    'outcome.failed': 'Failed',
    'contact.lead': 'Lead',
    'contact.customer': 'Customer',
    'contact.account': 'Account',
    'contact.stage': 'Stage',
    'contact.staff': 'Owner',
    'contact.rank': 'Rank',
    'contact.pending': 'Looking up AntCRM…',
    'contact.not_found': 'No record in AntCRM',
    'contact.error': 'AntCRM lookup failed',
    'contact.disabled': 'No CRM connected',
    'contact.multiple': '{n} records match this number, choose one:',
    'contact.choose': 'Choose record',
    'call.queue': 'Queue',
    'call.dismiss': 'Dismiss',
    'wrapup.title': 'After-call note',
    'hooks.title': 'Webhooks received',
    'hooks.help':
      "The demo mode's embedded webhook receiver: every delivery is verified with the Standard Webhooks reference library and processed once per webhook-id.",
    'hooks.time': 'Received',
    'hooks.type': 'Event',
    'hooks.call': 'Call',
    'hooks.verified': 'verified',
    'hooks.verified.help': 'The HMAC-SHA256 signature of id.timestamp.body matches WEBHOOK_SECRET',
    'hooks.count': '{n} webhooks processed',
    'hooks.empty': 'No webhook received yet.',
    'hooks.unavailable': 'This page exists in demo mode only.',
    'wrapup.note': 'Note',
    'wrapup.placeholder': 'What the customer needs, what was agreed…',
    'wrapup.disposition': 'Outcome',
    'wrapup.disposition.none': '— None —',
    'wrapup.disposition.callback': 'Call back',
    'wrapup.disposition.sale': 'Sale',
    'wrapup.disposition.support': 'Support',
    'wrapup.disposition.complaint': 'Complaint',
    'wrapup.save': 'Save to AntCRM',
    'wrapup.sending': 'Saving…',
    'wrapup.accepted': 'Note accepted; writing it to AntCRM.',
    'wrapup.empty': 'Write a note first (up to 2,000 characters).',
    'wrapup.err': 'Not saved: {message}',
    'crm.pending': 'AntCRM: writing…',
    'crm.written': 'AntCRM: written',
    'crm.failed': 'AntCRM: write failed',
    'crm.ticket': 'ticket #{id}',
    'crm.lead': 'new lead',
    'today.title': "Today's calls",
    'today.answered': 'Answered',
    'today.no_answer': 'No answer',
    'outcome.ended': 'Ended',
    'today.empty': 'No calls yet today.',
    'today.history_error': 'Call history unavailable ({code}).',
    'today.redial': 'Redial',
    'today.redial.label': 'Redial {number}',
    'sum.title': 'Today',
    'sum.total': 'calls',
    'sum.answered': 'answered',
    'sum.missed': 'missed',
    'sum.talk': 'talk time',
    'hist.success': 'Answered',
    'hist.ivr': 'Missed',
    'hist.cancelled': 'Cancelled',
    'hist.busy': 'Busy',
    'hist.unsuccess': 'Failed',
    'hist.unknown': '—',
    'dial.title': 'Make a call',
    'dial.label': 'Phone number',
    'dial.placeholder': 'e.g. 0934 890 883',
    'dial.button': 'Call',
    'dial.help': 'Your phone rings first; pick up to be connected to the customer.',
    'dial.dialing': 'Dialing {number}: pick up your phone.',
    'dial.sending': 'Sending the call request…',
    'dial.offline': 'Not connected to the bridge: try again shortly.',
    'err.device_offline': 'Your phone is offline: open your softphone and try again.',
    'err.dnc': 'This number is on the do-not-call list.',
    'err.invalid_number': 'Not a valid phone number.',
    'err.rate_limited': 'Too many calls: try again in {sec} s.',
    'err.token_expired': 'Your session has expired: sign in again.',
    'err.unauthorized': 'Invalid access token.',
    'err.forbidden': 'This account may not place calls.',
    'err.other': 'Call failed: {message}',
    'err.network': 'Cannot reach the bridge.',
    'wb.waiting': 'Waiting',
    'wb.offered': 'Offered',
    'wb.handled': 'Handled',
    'wb.abandoned': 'Abandoned',
    'wb.avg_wait': 'Average wait',
    'wb.max_wait': 'Longest wait',
    'wb.all_queues': 'All queues',
    'wb.queues': 'Queues',
    'wb.queue.agents': '{n} agents',
    'wb.queue.waiting': 'waiting',
    'wb.queue.longest': 'longest wait',
    'wb.queue.none': 'No calls waiting',
    'wb.agents': 'Agents',
    'wb.agent.ready': 'Ready',
    'wb.agent.ringing': 'Ringing',
    'wb.agent.connected': 'On call',
    'wb.agent.wrapup': 'Wrap-up',
    'wb.agent.paused': 'Paused',
    'wb.agent.logged_out': 'Logged out',
    'wb.updated': 'Updated {time}',
    'wb.recovery': 'Missed-call recovery (today)',
    'wb.rec.missed': 'Missed calls',
    'wb.rec.recovered': 'Recovered',
    'wb.rec.open': 'Awaiting callback',
    'wb.rec.scheduled': 'AntBot calling back',
    'wb.rec.unreached': 'Unreached',
    'wb.rec.median': 'Median time to recover',
    'call.callback': 'Callback of a missed call',
    'call.recovers': 'Customer with a missed call not yet returned',
    'wb.stale': 'Stale data: last updated at {time}',
    'wb.waiting_for_data': 'Waiting for data…',
    'wb.other_queue': 'Other',
    'toast.close': 'Dismiss',
    'widget.call': 'Call {number} with AntRing',
  },
};

const LOCALES = { vi: 'vi-VN', en: 'en-GB' };
const STORE_KEY = 'antring.lang';

function initialLang() {
  const from =
    new URLSearchParams(location.search).get('lang') ?? new URLSearchParams(location.hash.slice(1)).get('lang');
  if (from && from in LABELS) return from;
  try {
    const saved = localStorage.getItem(STORE_KEY);
    if (saved && saved in LABELS) return saved;
  } catch {
    /* storage may be disabled: fall through */
  }
  return (navigator.language || '').toLowerCase().startsWith('en') ? 'en' : 'vi';
}

let lang = initialLang();
const listeners = new Set();

export const getLang = () => lang;
export const locale = () => LOCALES[lang];

export function setLang(next) {
  if (!(next in LABELS) || next === lang) return;
  lang = next;
  try {
    localStorage.setItem(STORE_KEY, next);
  } catch {
    /* not persisted: fine */
  }
  document.documentElement.lang = next;
  for (const fn of listeners) fn(next);
}

/** A page's own labels ({ vi: {...}, en: {...} }), added to the shared ones (the CRM page: crm-labels.js). */
export function addLabels(extra) {
  for (const l of Object.keys(LABELS)) Object.assign(LABELS[l], extra[l]);
}

/** Called after every language change (re-render). */
export const onLangChange = (fn) => listeners.add(fn);

/** A label with {placeholders} filled in. */
export function t(key, vars = {}) {
  const s = LABELS[lang][key] ?? LABELS.en[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ''));
}

/** Fills every [data-i18n] (text) and [data-i18n-placeholder] / [data-i18n-aria] attribute under root. */
export function translate(root = document) {
  document.documentElement.lang = lang;
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll('[data-i18n-aria]')) el.setAttribute('aria-label', t(el.dataset.i18nAria));
}

const cache = new Map();
function fmt(kind, opts) {
  const key = `${lang}|${kind}`;
  if (!cache.has(key)) cache.set(key, new Intl.DateTimeFormat(locale(), opts));
  return cache.get(key);
}

export const fmtInt = (n) => new Intl.NumberFormat(locale()).format(n);
export const fmtTime = (iso) => fmt('time', { hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
export const fmtClock = (d) => fmt('clock', { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(d);
export const fmtDay = (d) => fmt('day', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(d);
