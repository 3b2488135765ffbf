// Crypto-shredding: every consent id has a data key of its own, and its receipts are stored sealed
// with it (AES-256-GCM). Erasure deletes the key, which makes every copy of those receipts unreadable
// at once: the rows, their dead versions, the WAL and backups that hold no copy of the key.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Db } from './db';

/** How a consent id is stored: its SHA-256, so that no consent id is kept in the clear. */
export const subjectOf = (consentId: string): Buffer => createHash('sha256').update(consentId).digest();

/** The subject's data key, created on first use. */
export const subjectKey = async (db: Db, subject: Buffer): Promise<Buffer> => {
  for (;;) {
    const [row] = await db.query<{ key: Uint8Array }>(
      `WITH created AS (INSERT INTO subject_keys (subject, key) VALUES ($1, $2) ON CONFLICT (subject) DO NOTHING RETURNING key)
       SELECT key FROM created UNION ALL SELECT key FROM subject_keys WHERE subject = $1`,
      [subject, randomBytes(32)],
    );
    // Empty only while another transaction inserts the same subject: asking again sees its key.
    if (row) return Buffer.from(row.key);
  }
};

/** Seals bytes with a key; `aad` binds the sealed text to its row (an entry's id). */
export const seal = (key: Buffer, plain: Buffer, aad: string): Buffer => {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(aad));
  return Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
};

/** The bytes a sealed text holds, or null when it was altered or sealed with another key. */
export const unseal = (key: Buffer, sealed: Uint8Array, aad: string): Buffer | null => {
  const s = Buffer.from(sealed);
  if (s.length < 28) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, s.subarray(0, 12)).setAAD(Buffer.from(aad));
    decipher.setAuthTag(s.subarray(s.length - 16));
    return Buffer.concat([decipher.update(s.subarray(12, s.length - 16)), decipher.final()]);
  } catch {
    return null;
  }
};
