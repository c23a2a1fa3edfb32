"""Media attachments: uploads processed in the background, stored behind one small
interface, served by the app."""
