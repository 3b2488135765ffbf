// Recording a decision: the receipt, with the hash of the texts shown. (Storage and delivery to
// the endpoint build on this.)
import { buildReceipt, canonicalJson, type ReceiptInput, shownTexts } from '../core/receipt';
import { sha256Tag } from '../core/sha256';
import type { Receipt } from '../core/types';

export const record = async (input: Omit<ReceiptInput, 'textHash'>, ui?: Record<string, string>): Promise<Receipt> =>
  buildReceipt({ ...input, textHash: await sha256Tag(canonicalJson(shownTexts(input.config, input.language, ui))) });
