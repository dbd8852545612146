// Bundlers: tinyld imported statically so that it is part of the bundle.
import { detectAll } from "tinyld";
import { setTinyldSource } from "./language-detect.js";

setTinyldSource(() => detectAll);
