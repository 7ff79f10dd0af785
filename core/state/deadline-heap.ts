/**
 * A binary min-heap of items by deadline, each item knowing its own position so that it can be
 * removed in O(log n) when it ends early. The watch hub keeps one timer for the earliest deadline
 * instead of one timer per parked waiter.
 */

export interface HeapItem {
  readonly deadline: number;
  /** Position in the heap; -1 when not in one. Maintained by the heap. */
  heapIndex: number;
}

export class DeadlineHeap<T extends HeapItem> {
  private readonly heap: T[] = [];

  get size(): number {
    return this.heap.length;
  }

  /** The item with the earliest deadline. */
  peek(): T | undefined {
    return this.heap[0];
  }

  /** A copy of the items, in no particular order. */
  items(): T[] {
    return this.heap.slice();
  }

  push(item: T): void {
    item.heapIndex = this.heap.length;
    this.heap.push(item);
    this.up(item.heapIndex);
  }

  /** Removes `item`; false when it was not in the heap. */
  remove(item: T): boolean {
    const at = item.heapIndex;
    if (at < 0 || this.heap[at] !== item) return false;
    item.heapIndex = -1;
    const last = this.heap.pop()!;
    if (last !== item) {
      this.heap[at] = last;
      last.heapIndex = at;
      this.down(at);
      this.up(last.heapIndex);
    }
    return true;
  }

  private up(at: number): void {
    const heap = this.heap;
    const item = heap[at]!;
    while (at > 0) {
      const parentAt = (at - 1) >> 1;
      const parent = heap[parentAt]!;
      if (parent.deadline <= item.deadline) break;
      heap[at] = parent;
      parent.heapIndex = at;
      at = parentAt;
    }
    heap[at] = item;
    item.heapIndex = at;
  }

  private down(at: number): void {
    const heap = this.heap;
    const item = heap[at]!;
    const size = heap.length;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= size) break;
      const right = child + 1;
      if (right < size && heap[right]!.deadline < heap[child]!.deadline) child = right;
      const smaller = heap[child]!;
      if (smaller.deadline >= item.deadline) break;
      heap[at] = smaller;
      smaller.heapIndex = at;
      at = child;
    }
    heap[at] = item;
    item.heapIndex = at;
  }
}
