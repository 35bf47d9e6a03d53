"""What every stage notebook ends with: knowledge checks, 'apply it to your project', and the project brief."""
