const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6_CHARS = /^[0-9A-Fa-f:.]+$/;

/** Whether the text is a dotted-quad IPv4 address. */
export function isIpv4(text: string): boolean {
  return IPV4.test(text);
}

/** Whether the text is an IPv6 address (a zone suffix "%zone" allowed). */
export function isIpv6(text: string): boolean {
  const percent = text.indexOf("%");
  const body = percent < 0 ? text : text.slice(0, percent);
  if (percent >= 0 && percent === text.length - 1) return false;
  if (!IPV6_CHARS.test(body) || !body.includes(":")) return false;
  try {
    new URL(`http://[${body}]/`);
    return true;
  } catch {
    return false;
  }
}

/** Whether the text is an IPv4 or IPv6 address. */
export function isIpAddress(text: string): boolean {
  return isIpv4(text) || isIpv6(text);
}

/** Whether the text is a CIDR prefix ("10.0.0.0/8", "::/0"). */
export function isCidr(text: string): boolean {
  const slash = text.indexOf("/");
  if (slash < 0) return false;
  const address = text.slice(0, slash);
  const lengthText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lengthText)) return false;
  const length = Number(lengthText);
  if (isIpv4(address)) return length <= 32;
  return isIpv6(address) && !address.includes("%") && length <= 128;
}
