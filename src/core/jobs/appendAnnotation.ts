// Appends one verdict the review view recorded (the editor writes nothing itself: the worker does).
import { appendAnnotation, type NewAnnotation } from '../hallucination/annotations';
import type { AnnotationRecord } from '../hallucination/types';

export interface AppendAnnotationParams {
  /** The annotations file (a flag job's result names it). */
  file: string;
  annotation: NewAnnotation;
}

/** The record itself is validated by appendAnnotation; this checks what it needs to get that far. */
export async function appendAnnotationJob(params: AppendAnnotationParams): Promise<AnnotationRecord> {
  if (typeof params?.file !== 'string' || params.file === '') throw new Error('appendAnnotation: "file" must name the annotations file');
  const annotation = params.annotation as Partial<AppendAnnotationParams['annotation']> | undefined;
  if (annotation === null || typeof annotation !== 'object')
    throw new Error(`appendAnnotation: "annotation" must be an object, not ${JSON.stringify(annotation)}`);
  if (typeof annotation.text !== 'string') throw new Error('appendAnnotation: "annotation.text" must be the text that was judged');
  return appendAnnotation(params.file, params.annotation);
}
