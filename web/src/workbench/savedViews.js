// Saved views (a name for a set of filters), kept in this browser's localStorage.
import { ElMessageBox } from 'element-plus';

/** Asks for a view's name; resolves to the trimmed name, or null when cancelled. */
export async function askViewName(t) {
  try {
    const { value } = await ElMessageBox.prompt(t('view.name'), t('view.save'), { confirmButtonText: t('common.confirm'), cancelButtonText: t('common.cancel'), inputPattern: /\S/, inputErrorMessage: t('f.required') });
    return value.trim();
  } catch {
    return null;
  }
}
