// The `Stage` global as the drop-in sees it: in Stage these types come from app/utils/StageAPI.ts;
// here from the stand-ins.
declare global {
  namespace Stage {
    const Basic: typeof import('./stage/basic');
    const Hooks: typeof import('./stage/hooks');
    const Utils: typeof import('./stage/utils').default;
    namespace Types {
      type Toolbox = import('./stage/toolbox').Toolbox;
    }
  }
}
export {};
