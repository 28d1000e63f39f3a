// The addresses of the single-use links Hameau hands out, built from PUBLIC_URL (never from the
// request's Host header, which a visitor controls).

/** "https://intranet.example.com/invite/<token>" */
export function invitationLink(publicUrl: string, token: string): string {
  return `${publicUrl}/invite/${token}`;
}

/** "https://intranet.example.com/password/reset/<token>" */
export function passwordResetLink(publicUrl: string, token: string): string {
  return `${publicUrl}/password/reset/${token}`;
}
