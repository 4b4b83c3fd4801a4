//! `MappedRegion::drop_deferred`: a closed region's placeholder stays mapped until the next map
//! in the process, or an explicit `unmap_deferred_placeholders`. Its own test binary, so that no
//! other test maps or drops regions meanwhile.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::fd::AsFd;
use std::path::PathBuf;

use zerocopy_jni::mmap::{self, MapMode, MappedRegion};
use zerocopy_jni::sys::page_size;

fn temp_file(name: &str, len: usize) -> (PathBuf, File) {
    let path =
        std::env::temp_dir().join(format!("zerocopy-deferred-{name}-{}", std::process::id()));
    let mut file =
        OpenOptions::new().read(true).write(true).create(true).truncate(true).open(&path).unwrap();
    file.write_all(&vec![b'A'; len]).unwrap();
    (path, file)
}

fn map(file: &File, len: usize) -> MappedRegion {
    // Safety: the test owns its files and never truncates them.
    unsafe { MappedRegion::map(file.as_fd(), MapMode::ReadOnly, 0, len) }.unwrap()
}

/// The /proc/self/maps line of the mapping that starts at `addr`, if one does.
fn mapping_starting_at(addr: usize) -> Option<String> {
    let prefix = format!("{addr:x}-");
    std::fs::read_to_string("/proc/self/maps")
        .unwrap()
        .lines()
        .find(|l| l.starts_with(&prefix))
        .map(String::from)
}

#[test]
fn a_placeholder_is_unmapped_by_the_next_map_and_an_open_region_at_once() {
    let len = 3 * page_size();
    let (path, file) = temp_file("a", len);
    let path = path.to_str().unwrap().to_string();

    // Closed: the placeholder outlives the drop and goes with the next map.
    let mut region = map(&file, len);
    let addr = region.as_ptr() as usize;
    region.close().unwrap();
    region.drop_deferred();
    let line = mapping_starting_at(addr).expect("the placeholder is still mapped after the drop");
    assert!(!line.contains(&path), "the file was released at close: {line}");
    let (other_path, other) = temp_file("b", 5 * page_size());
    let next = map(&other, 5 * page_size());
    if let Some(line) = mapping_starting_at(addr) {
        assert!(line.contains("zerocopy-deferred-b"), "only the new region may be there: {line}");
    }
    drop(next);

    // Closed, and given back on request.
    let mut region = map(&file, len);
    let addr = region.as_ptr() as usize;
    region.close().unwrap();
    region.drop_deferred();
    assert!(mapping_starting_at(addr).is_some());
    mmap::unmap_deferred_placeholders();
    assert_eq!(mapping_starting_at(addr), None);

    // Never closed: still the file, unmapped at once.
    let region = map(&file, len);
    let addr = region.as_ptr() as usize;
    assert!(mapping_starting_at(addr).unwrap().contains(&path));
    region.drop_deferred();
    assert_eq!(mapping_starting_at(addr), None);
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(&other_path);
}
