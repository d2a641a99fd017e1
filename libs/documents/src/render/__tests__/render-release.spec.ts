import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import PDFDocument from 'pdfkit';
import { buildDocumentModel } from '../../testing/document-model.factory';
import { renderAgreementPdf } from '../render-agreement';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

describe('rendering one part after another', () => {
  const end = PDFDocument.prototype.end;
  afterEach(() => {
    PDFDocument.prototype.end = end;
  });

  it('lets each finished document go before the next is rendered, with no I/O in between', async () => {
    // An execution's parts are rendered back to back (DocumentsGenerator.render): the only
    // thing between two renders is awaiting the first one's promise.
    const documents: WeakRef<object>[] = [];
    // Not jest.spyOn: a mock keeps every `this` it was called with.
    PDFDocument.prototype.end = function (this: PDFKit.PDFDocument) {
      documents.push(new WeakRef(this));
      return end.call(this);
    };
    const model = buildDocumentModel({ practices: 3, annexes: 1 });

    for (let i = 0; i < 4; i++) await renderAgreementPdf(model);
    collectGarbage();

    expect(documents).toHaveLength(4);
    expect(documents.map((d) => d.deref() === undefined)).toEqual([true, true, true, true]);
  });
});
